// A list page's pickers (select[data-picker]): choosing one empties the pickers that depend on it (a new
// province empties the commune, school and class) and sends the filter form, so the next picker lists
// the choices of this one. Without scripts the "Lọc" button does the same in two steps.
document.addEventListener("change", (event) => {
  const select = event.target;
  if (!(select instanceof HTMLSelectElement) || !select.hasAttribute("data-picker")) return;
  for (const name of select.dataset.picker.split(" ").filter(Boolean)) {
    const dependent = select.form.elements.namedItem(name);
    if (dependent) dependent.value = "";
  }
  select.form.requestSubmit();
});
