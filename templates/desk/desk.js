// The desk's only script: Escape closes a figure's provenance, and a figure read with the
// keyboard is announced with it. Everything works without it.
document.addEventListener("keydown", function (event) {
  if (event.key === "Escape" && document.activeElement && document.activeElement.classList.contains("fig")) {
    document.activeElement.blur();
  }
});
