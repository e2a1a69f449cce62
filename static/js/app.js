// Vote sheet on the unit page: opens when htmx loads a form into it, closes when a vote is saved.
document.addEventListener("htmx:afterSwap", (event) => {
  if (event.detail.target?.id === "vote-sheet-body") { // a history restore swaps with no target
    const sheet = document.getElementById("vote-sheet");
    if (sheet && window.bootstrap) window.bootstrap.Offcanvas.getOrCreateInstance(sheet).show();
  }
});
document.body.addEventListener("voteSaved", () => {
  const sheet = document.getElementById("vote-sheet");
  if (sheet && window.bootstrap) window.bootstrap.Offcanvas.getOrCreateInstance(sheet).hide();
});
