// Plan and running-cost pages: mark the inputs whose error slot (err-<name>) holds a message, after
// every what-if preview (the server fills the slots out of band) and on first load.
function markInvalidInputs() {
  document.querySelectorAll(".plan-error").forEach((slot) => {
    const name = slot.id.slice(4);
    const form = slot.closest("form") || document.getElementById("plan-form") || document.getElementById("running-form");
    const input = form && form.elements ? form.elements.namedItem(name) : null;
    if (input && input.classList) input.classList.toggle("is-invalid", slot.textContent.trim() !== "");
  });
}
document.addEventListener("DOMContentLoaded", markInvalidInputs);
document.addEventListener("htmx:afterSettle", markInvalidInputs);
