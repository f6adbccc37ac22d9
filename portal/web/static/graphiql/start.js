// GraphiQL on /graphql, served from the portal's own files (no CDN), under the portal's CSP:
// no inline script, so this file starts it. Queries go to the page's own origin; subscriptions
// over graphql-transport-ws on the same path. Add "Authorization: Bearer <token>" in the headers
// tab (a logged-in portal session works too).
(function () {
  "use strict";
  var url = window.location.origin + "/graphql";
  var fetcher = GraphiQL.createFetcher({
    url: url,
    subscriptionUrl: url.replace(/^http/, "ws"),
  });
  var defaultQuery =
    "# In the Headers tab below: {\"Authorization\": \"Bearer <token>\"}\n" +
    "# (or log in to the portal first). Run with Ctrl-Enter.\n" +
    "{\n  viewer {\n    name\n    organization { name kind }\n  }\n}\n";
  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: defaultQuery,
      defaultEditorToolsVisibility: true,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: false,
    })
  );
})();
