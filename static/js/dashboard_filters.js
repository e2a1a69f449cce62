// The dashboard's filters follow the address. A filter swaps the body and pushes its URL (hx-push-url);
// back and forward restore htmx's copy of the page, whose markup still marks the dropdowns' first choice
// (全部): set each dropdown from the address instead. The charts are taken out of the copy and drawn again
// by dashboard.js.
(function () {
  function filters() {
    return document.querySelector("form.dashboard-filters");
  }

  function followAddress() {
    const form = filters();
    if (!form) return;
    const params = new URLSearchParams(window.location.search);
    form.querySelectorAll("select[name]").forEach((select) => {
      const wanted = params.get(select.name) || "";
      const known = Array.from(select.options).some((option) => option.value === wanted);
      select.value = known ? wanted : "";
    });
  }

  document.addEventListener("htmx:historyRestore", followAddress);
  window.addEventListener("pageshow", followAddress);
})();
