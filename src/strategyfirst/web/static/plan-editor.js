// The plan editor (issue 18.10): line numbers beside the YAML, a marker on each line with a lint finding
// (a symbol as well as a colour), a finding's "line N" link selects that line, and the add forms carry the
// draft so nothing typed is lost. Without this file the editor is the labelled textarea, and still saves.
"use strict";

(function () {
  var SYMBOL = {error: "\u2716", warning: "\u25B2"};   // ✖ error, ▲ warning

  function lineCount(text) { return text.split("\n").length; }

  function setUp(area) {
    var box = document.createElement("div");
    box.className = "code";
    var gutter = document.createElement("div");
    gutter.className = "gutter";
    gutter.setAttribute("aria-hidden", "true");   // the findings list says the same in words
    var numbers = document.createElement("div");
    numbers.className = "numbers";
    gutter.appendChild(numbers);
    area.parentNode.insertBefore(box, area);
    box.appendChild(gutter);
    box.appendChild(area);
    area.setAttribute("wrap", "off");   // one text line per gutter line
    box.classList.add("numbered");

    var marks = {};
    var shown = -1;

    function follow() { numbers.style.transform = "translateY(" + (-area.scrollTop) + "px)"; }

    function draw(force) {
      var n = lineCount(area.value);
      if (n === shown && !force) return;
      shown = n;
      var rows = document.createDocumentFragment();
      for (var i = 1; i <= n; i++) {
        var row = document.createElement("div");
        var sev = marks[i];
        if (sev) {
          row.className = "mark " + sev;
          row.dataset.symbol = SYMBOL[sev];
          row.title = sev + " on line " + i;
        }
        row.textContent = String(i);
        rows.appendChild(row);
      }
      numbers.replaceChildren(rows);
      follow();
    }

    function readMarks() {
      marks = {};
      document.querySelectorAll("#lint [data-line][data-severity]").forEach(function (el) {
        var line = parseInt(el.dataset.line, 10);
        if (marks[line] !== "error") marks[line] = el.dataset.severity;
      });
      draw(true);
    }

    function selectLine(line) {
      var lines = area.value.split("\n");
      line = Math.max(1, Math.min(line, lines.length));
      var start = 0;
      for (var i = 0; i < line - 1; i++) start += lines[i].length + 1;
      area.focus();
      area.setSelectionRange(start, start + lines[line - 1].length);
      var height = parseFloat(getComputedStyle(area).lineHeight) || 18;
      area.scrollTop = Math.max(0, (line - 3) * height);
      follow();
    }

    area.addEventListener("scroll", follow);
    area.addEventListener("input", function () { draw(false); });
    document.body.addEventListener("htmx:afterSwap", function (evt) {
      if (evt.detail.target && evt.detail.target.id === "lint") readMarks();
    });
    document.addEventListener("click", function (evt) {
      var link = evt.target.closest ? evt.target.closest("a.goto[data-line]") : null;
      if (!link) return;
      evt.preventDefault();
      selectLine(parseInt(link.dataset.line, 10));
    });
    // an add form saves the draft too, when it differs from the saved text
    document.querySelectorAll("form input.draft").forEach(function (input) {
      input.form.addEventListener("submit", function () {
        input.value = area.value !== area.defaultValue ? area.value : "";
      });
    });
    readMarks();
    var refused = document.querySelector(".add-form [aria-invalid=true]");
    if (refused) refused.focus();   // a refused form: straight to the first field to correct
    else if (area.dataset.line) selectLine(parseInt(area.dataset.line, 10));
  }

  document.addEventListener("DOMContentLoaded", function () {
    var area = document.getElementById("plan-text");
    if (area) setUp(area);
  });
})();
