/* The report request's domain picker: "全部领域" and single domains exclude each other.
   Ticking a single domain unticks 全部领域; ticking 全部领域 unticks every single domain.
   The server refuses a request with both ticked, so without this script nothing wrong is issued either.
   按办理事项选择: choosing a matter of the catalogue ticks the domains it needs (its option's data-domains,
   "all" for 全部领域) and keeps the matter with the request; without this script the list's button reloads
   the page with ?matter=, which the server fills in the same way.
   Part of cleanrecord (no third-party code); loaded as a file, as the CSP allows no inline script. */
(function () {
  "use strict";
  function wire(picker) {
    var all = picker.querySelector('input[name="scope"]');
    var singles = picker.querySelectorAll('input[name="domains"]');
    if (!all) { return; }
    all.addEventListener("change", function () {
      if (!all.checked) { return; }
      for (var i = 0; i < singles.length; i++) { singles[i].checked = false; }
    });
    for (var i = 0; i < singles.length; i++) {
      singles[i].addEventListener("change", function (event) {
        if (event.target.checked) { all.checked = false; }
      });
    }
  }
  function wireMatters(chooser) {
    var select = chooser.querySelector("select");
    var form = document.getElementById("report-request");
    if (!select || !form) { return; }
    var all = form.querySelector('input[name="scope"]');
    var singles = form.querySelectorAll('input[name="domains"]');
    var kept = form.querySelector('input[name="matter"]');
    var purpose = form.querySelector('input[name="purpose_text"]');
    select.addEventListener("change", function () {
      var option = select.options[select.selectedIndex];
      if (kept) { kept.value = select.value; }
      if (!select.value) { return; }
      var wanted = (option.getAttribute("data-domains") || "").split(" ");
      var everything = wanted[0] === "all";
      if (all) { all.checked = everything; }
      for (var i = 0; i < singles.length; i++) {
        singles[i].checked = !everything && wanted.indexOf(singles[i].value) !== -1;
      }
      if (purpose && !purpose.value) { purpose.value = option.textContent.split("：").pop(); }
    });
  }
  function init() {
    var pickers = document.querySelectorAll("[data-domain-picker]");
    for (var i = 0; i < pickers.length; i++) { wire(pickers[i]); }
    var choosers = document.querySelectorAll("[data-matter-picker]");
    for (var j = 0; j < choosers.length; j++) { wireMatters(choosers[j]); }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
