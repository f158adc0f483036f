/* The report request's domain picker: "全部领域" and single domains exclude each other.
   Ticking a single domain unticks 全部领域; ticking 全部领域 unticks every single domain.
   The server refuses a request with both ticked, so without this script nothing wrong is issued either.
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
  function init() {
    var pickers = document.querySelectorAll("[data-domain-picker]");
    for (var i = 0; i < pickers.length; i++) { wire(pickers[i]); }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
