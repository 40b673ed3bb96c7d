// Draws the Vega-Lite charts of a page (vega-embed, served by the app), shows upload progress and marks the
// navigation strip's hidden side.
"use strict";

var NARROW_CHART = 520;   // px: a chart narrower than this has its legend below the plot

function drawCharts(root) {
  if (typeof vegaEmbed === "undefined") return;
  root.querySelectorAll("[data-vega-spec]").forEach(function (el) {
    if (el.dataset.drawn) return;
    var source = document.getElementById(el.dataset.vegaSpec);
    if (!source) return;
    el.dataset.drawn = "1";
    var spec = JSON.parse(source.textContent);
    if (el.clientWidth < NARROW_CHART) {
      // a legend beside a phone-wide chart leaves the plot a third of the width: below it, the plot has it all
      spec.config = spec.config || {};
      spec.config.legend = Object.assign({}, spec.config.legend, {orient: "bottom", direction: "horizontal",
                                                                 columns: 2, labelLimit: 140});
    }
    // Vega's expression interpreter instead of eval: the page's Content-Security-Policy allows no eval.
    vegaEmbed(el, spec, {actions: false, renderer: "svg", ast: true, expr: vega.expressionInterpreter,
                         defaultStyle: false})
      .catch(function (err) { el.textContent = "chart unavailable: " + err; });
  });
}

// The reason a refused request gives: the alert of an HTML answer, the `detail` of a JSON one, else the status.
function reasonOf(xhr) {
  if (!xhr) return "no answer from the server";
  var type = xhr.getResponseHeader("Content-Type") || "";
  try {
    if (type.indexOf("application/json") === 0) {
      var detail = JSON.parse(xhr.responseText).detail;
      if (typeof detail === "string") return detail;
      if (Array.isArray(detail)) return detail.map(function (d) { return d.msg || String(d); }).join("; ");
    } else if (type.indexOf("text/html") === 0) {
      var doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
      var alert = doc.querySelector("[role=alert], .error");
      if (alert) return alert.textContent.trim().replace(/\s+/g, " ");
    }
  } catch (e) { /* an unreadable body: fall back to the status */ }
  return "HTTP " + xhr.status + (xhr.statusText ? " " + xhr.statusText : "");
}

function showProblem(target, text) {
  if (!target) return;
  var p = document.createElement("p");
  p.className = "error";
  p.setAttribute("role", "alert");
  p.textContent = text;   // text, never HTML
  target.replaceChildren(p);
}

// The navigation is one scrolling strip on a phone: the side that has more links shows an arrow (app.css), and
// the current page's link is scrolled into view.
function hintNav(nav) {
  var update = function () {
    var rest = nav.scrollWidth - nav.clientWidth - nav.scrollLeft;
    nav.classList.toggle("more-after", rest > 1);
    nav.classList.toggle("more-before", nav.scrollLeft > 1);
  };
  var active = nav.querySelector("a[aria-current=page]");
  if (active && nav.scrollWidth > nav.clientWidth) {
    var past = active.getBoundingClientRect().right - nav.getBoundingClientRect().right;
    if (past > 0) nav.scrollLeft += past + 40;   // clear of the arrow
  }
  nav.addEventListener("scroll", update, {passive: true});
  window.addEventListener("resize", update);
  update();
}

document.addEventListener("DOMContentLoaded", function () {
  var nav = document.querySelector("header.top nav");
  if (nav) hintNav(nav);
  drawCharts(document);
  document.body.addEventListener("htmx:afterSwap", function (evt) { drawCharts(evt.target); });
  // htmx swaps no 4xx answer by default: a refused request's reason (an upload's 422 naming what is wrong with
  // each file, a 413 over the size limit, a 403 once the session expired) is shown in its target instead.
  // The event fires on the target, so it is handled here for every htmx request of the page.
  document.body.addEventListener("htmx:beforeSwap", function (evt) {
    var xhr = evt.detail.xhr;
    if (xhr.status < 400) return;
    var type = xhr.getResponseHeader("Content-Type") || "";
    if (type.indexOf("text/html") === 0 && xhr.status < 500) {
      evt.detail.shouldSwap = true;   // the server's alert fragment, escaped by the server's templates
      evt.detail.isError = false;
    } else {
      evt.detail.shouldSwap = false;  // JSON (the body limit's 413) or a server error: its reason as text
      showProblem(evt.detail.target, reasonOf(xhr));
    }
  });
  // A secret shown once (a new API token): the Copy button copies it and says so; without a clipboard (plain
  // http, an old browser) the text is selected for Ctrl+C.
  document.body.addEventListener("click", function (evt) {
    var button = evt.target.closest ? evt.target.closest("[data-copy]") : null;
    if (!button) return;
    var input = document.getElementById(button.dataset.copy);
    var note = document.querySelector('[data-copy-state="' + button.dataset.copy + '"]');
    if (!input) return;
    input.focus();
    input.select();
    var said = function (text) { if (note) note.textContent = text; };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(function () { said("Copied."); },
                                                      function () { said("Selected: press Ctrl+C to copy."); });
    } else {
      said("Selected: press Ctrl+C to copy.");
    }
  });
  var form = document.getElementById("upload");
  if (!form) return;
  var bar = document.getElementById("upload-progress");
  var state = document.getElementById("upload-state");
  form.addEventListener("htmx:xhr:progress", function (evt) {
    if (!evt.detail.lengthComputable) return;
    bar.hidden = false;
    bar.value = Math.round(evt.detail.loaded / evt.detail.total * 100);
    state.textContent = bar.value < 100 ? "uploading… " + bar.value + "%" : "importing…";
  });
  form.addEventListener("htmx:beforeRequest", function () {
    bar.hidden = false; bar.value = 0; state.textContent = "uploading…";
  });
  form.addEventListener("htmx:afterRequest", function (evt) {
    bar.hidden = true;
    var xhr = evt.detail.xhr;   // by status: a refused answer that was swapped counts as successful to htmx
    if (!xhr || !xhr.status) return;   // not answered: htmx:sendError says so
    // a refused upload's reasons are in the summary below (the server's list, or showProblem's line): said once
    state.textContent = xhr.status < 400 ? "done" : "the import failed: why is said below";
  });
  form.addEventListener("htmx:sendError", function () {
    bar.hidden = true;
    state.textContent = "the import failed: the server could not be reached";
  });
});
