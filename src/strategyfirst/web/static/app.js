// Draws the Vega-Lite charts of a page (vega-embed, served by the app) and shows upload progress.
"use strict";

function drawCharts(root) {
  if (typeof vegaEmbed === "undefined") return;
  root.querySelectorAll("[data-vega-spec]").forEach(function (el) {
    if (el.dataset.drawn) return;
    var source = document.getElementById(el.dataset.vegaSpec);
    if (!source) return;
    el.dataset.drawn = "1";
    // Vega's expression interpreter instead of eval: the page's Content-Security-Policy allows no eval.
    vegaEmbed(el, JSON.parse(source.textContent), {actions: false, renderer: "svg", ast: true,
                                                   expr: vega.expressionInterpreter, defaultStyle: false})
      .catch(function (err) { el.textContent = "chart unavailable: " + err; });
  });
}

document.addEventListener("DOMContentLoaded", function () {
  drawCharts(document);
  document.body.addEventListener("htmx:afterSwap", function (evt) { drawCharts(evt.target); });
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
    state.textContent = evt.detail.successful ? "done" : "the import failed";
  });
});
