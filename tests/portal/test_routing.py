"""The indexed router answers as starlette's router does, and remembers only fixed paths' full matches."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Mount, Route
from starlette.testclient import TestClient

from portal.routing import IndexedRouter


def _app() -> tuple[Starlette, IndexedRouter]:
    def answer(text: str):  # type: ignore[no-untyped-def]
        async def endpoint(request: Request) -> PlainTextResponse:
            return PlainTextResponse(f"{text} {request.path_params}")

        return endpoint

    inner = Starlette(routes=[Route("/", answer("mounted"))])
    routes = [
        Route("/orders/{order_id:int}", answer("order")),
        Route("/orders/new", answer("new order form"), methods=["GET"]),
        Route("/orders/new", answer("new order saved"), methods=["POST"]),
        Route("/orders", answer("orders")),
        Route("/only-get", answer("only get"), methods=["GET"]),
        Mount("/static", app=inner),
    ]
    app = Starlette()
    router = IndexedRouter(routes)
    app.router = router
    return app, router


def test_the_same_answers_as_starlette_the_second_time_from_the_index() -> None:
    app, router = _app()
    client = TestClient(app)
    for _ in range(2):
        assert client.get("/orders").text == "orders {}"
        assert client.get("/orders/new").text == "new order form {}"
        assert client.post("/orders/new").text == "new order saved {}"
        assert client.get("/orders/7").text == "order {'order_id': 7}"
        assert client.get("/static/").text == "mounted {}"
    assert set(router._index) == {
        ("GET", "", "/orders"),
        ("GET", "", "/orders/new"),
        ("POST", "", "/orders/new"),
    }
    assert (
        router._index[("POST", "", "/orders/new")].endpoint
        is not router._index[("GET", "", "/orders/new")].endpoint
    )


def test_a_method_not_allowed_is_not_remembered_and_stays_405() -> None:
    app, router = _app()
    client = TestClient(app)
    assert client.get("/only-get").status_code == 200
    for _ in range(2):
        assert client.post("/only-get").status_code == 405
    assert ("POST", "", "/only-get") not in router._index


def test_paths_with_parameters_mounted_apps_unknown_paths_and_made_up_methods_are_not_remembered() -> None:
    app, router = _app()
    client = TestClient(app)
    assert client.get("/orders/8").status_code == 200
    assert client.get("/nowhere").status_code == 404
    assert client.get("/static/").text == "mounted {}"  # the mounted app's own route is not this router's
    assert client.request("BREW", "/orders").status_code == 405
    assert router._index == {}
