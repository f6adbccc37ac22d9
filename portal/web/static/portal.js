// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";
  // Move focus to the first field with an error, so keyboard and screen-reader users land there.
  document.addEventListener("DOMContentLoaded", function () {
    var invalid = document.querySelector('[aria-invalid="true"]');
    if (invalid) { invalid.focus(); }
    // Prevent double submission of a form (a second click while the first is on its way).
    document.querySelectorAll("form[method=post]").forEach(function (form) {
      form.addEventListener("submit", function () {
        setTimeout(function () {
          form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
        }, 0);
      });
    });
    var order = document.getElementById("order-form");
    if (order) { orderForm(order); }
  });

  // Pickers (templates/_pickers.html): the options follow the typing, through /pick/{kind}?q=.
  // Without this, the search button next to the box re-renders the form with the matches.
  var timers = new WeakMap();
  function refresh(box) {
    var picker = box.closest(".picker");
    var select = picker.querySelector("select");
    var url = picker.getAttribute("data-picker") + "?q=" + encodeURIComponent(box.value);
    fetch(url, { credentials: "same-origin", headers: { accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        var chosen = select.value;
        Array.prototype.slice.call(select.options).forEach(function (o) {
          if (o.value !== "" && !(o.value === chosen && o.selected)) { o.remove(); }
        });
        data.items.forEach(function (item) {
          if (String(item.id) === chosen) { return; }
          var option = document.createElement("option");
          option.value = String(item.id);
          option.textContent = item.label + (item.price ? " · " + money(Number(item.price)) : "");
          if (item.price) { option.setAttribute("data-price", item.price); }
          select.appendChild(option);
        });
        if (!chosen && data.items.length) { select.value = String(data.items[0].id); }
        var more = picker.querySelector(".picker-more");
        if (more) { more.hidden = !data.more; }
        select.dispatchEvent(new Event("change", { bubbles: true }));
      });
  }
  document.addEventListener("input", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches(".picker-search input")) { return; }
    clearTimeout(timers.get(box));
    timers.set(box, setTimeout(function () { refresh(box); }, 250));
  });
  document.addEventListener("keydown", function (event) {
    var box = event.target;
    if (event.key === "Enter" && box.matches && box.matches(".picker-search input")) {
      event.preventDefault();
      refresh(box);
    }
  });

  function lang() { return document.documentElement.lang || "en"; }
  function money(value) {
    return new Intl.NumberFormat(lang(), { style: "currency", currency: "EUR" }).format(value);
  }
  // A number as typed in the page's language (German 1.234,5; English 1,234.5), or NaN: read with
  // exactly the server's rules (portal.web.forms.Form.decimal, Babel's strict parsing), so a line
  // shows a total only for what the server stores. "1,000" on a German page (1.000 on an English
  // one) is ambiguous and refused there, so it is NaN here, not 1.
  function parse(text) {
    var de = lang() === "de";
    var mark = de ? "," : ".";
    var group = de ? "." : ",";
    var t = text.trim().replace(/[\u202f\u00a0]/g, "");
    if (!t || !/^-?[0-9][0-9.,]*$|^-?[.,][0-9]+$/.test(t)) { return NaN; }
    var at = t.indexOf(mark);
    var whole = at < 0 ? t : t.slice(0, at);
    var fraction = at < 0 ? "" : t.slice(at + 1);
    var grouped = t.indexOf(group) >= 0;
    if (!grouped && fraction.length === 3 && whole.replace(/^-+/, "").replace(/^0+/, "")) { return NaN; }
    var plain = t.split(group).join("").split(mark).join(".");
    if (!/^-?([0-9]+\.?[0-9]*|\.[0-9]+)$/.test(plain)) { return NaN; }
    if (grouped && withoutTrailingZeros(t, mark) !== canonical(plain, mark, group)) { return NaN; }
    return Number(plain);
  }
  // Babel's format_decimal(value, decimal_quantization=False): groups of three, no trailing zeros.
  function canonical(plain, mark, group) {
    var sign = plain.charAt(0) === "-" ? "-" : "";
    var parts = plain.replace(/^-/, "").split(".");
    var whole = parts[0].replace(/^0+/, "") || "0";
    var fraction = (parts[1] || "").replace(/0+$/, "");
    return sign + whole.replace(/\B(?=([0-9]{3})+$)/g, group) + (fraction ? mark + fraction : "");
  }
  function withoutTrailingZeros(text, mark) {
    var at = text.indexOf(mark);
    if (at < 0 || at === text.length - 1) { return text; }
    var fraction = text.slice(at + 1).replace(/0+$/, "");
    return text.slice(0, at) + (fraction ? mark + fraction : "");
  }

  // The new-order form: running totals, and "Add a line" without a round trip.
  function orderForm(form) {
    function totals() {
      var sum = 0;
      form.querySelectorAll(".line-row").forEach(function (row) {
        var n = row.getAttribute("data-line");
        var select = form.querySelector('[name="line-' + n + '-product"]');
        var option = select && select.selectedOptions[0];
        var list = option && option.getAttribute("data-price");
        var own = form.querySelector('[name="line-' + n + '-price"]');
        var price = own && own.value.trim() ? parse(own.value) : (list ? Number(list) : NaN);
        var qty = parse((form.querySelector('[name="line-' + n + '-quantity"]') || { value: "" }).value);
        row.querySelector(".list-price").textContent = list ? money(Number(list)) : "–";
        var amount = price * qty;
        row.querySelector(".line-total").textContent = isNaN(amount) ? "–" : money(amount);
        if (!isNaN(amount)) { sum += amount; }
      });
      document.getElementById("order-total").textContent = money(sum);
    }
    form.addEventListener("input", totals);
    form.addEventListener("change", totals);
    var add = form.querySelector('button[name="add_line"]');
    if (add) {
      add.addEventListener("click", function (event) {
        var rows = form.querySelectorAll(".line-row");
        var last = rows[rows.length - 1];
        var n = Number(last.getAttribute("data-line"));
        var next = n + 1;
        var copy = last.cloneNode(true);
        var pattern = new RegExp("line-" + n + "-", "g");
        copy.setAttribute("data-line", String(next));
        copy.querySelectorAll("[name],[id],[for],[aria-describedby]").forEach(function (el) {
          ["name", "id", "for", "aria-describedby"].forEach(function (attr) {
            var value = el.getAttribute(attr);
            if (value) { el.setAttribute(attr, value.replace(pattern, "line-" + next + "-")); }
          });
          if (el.tagName === "INPUT") { el.value = ""; el.removeAttribute("aria-invalid"); }
          if (el.tagName === "SELECT") { el.value = ""; el.removeAttribute("aria-invalid"); }
        });
        copy.querySelectorAll("label").forEach(function (label) {
          label.childNodes.forEach(function (node) {
            if (node.nodeType === 3) { node.textContent = node.textContent.replace(new RegExp("\\b" + n + "\\b"), String(next)); }
          });
        });
        copy.querySelectorAll(".field-error").forEach(function (el) { el.remove(); });
        copy.querySelectorAll(".invalid").forEach(function (el) { el.classList.remove("invalid"); });
        last.parentNode.insertBefore(copy, last.nextSibling);
        form.querySelector('[name="rows"]').value = String(next);
        event.preventDefault();
        totals();
        var first = copy.querySelector("input, select");
        if (first) { first.focus(); }
      });
    }
  }
})();
