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

// A picker with too many choices to list (select[data-search]: a province's or the country's schools) gets a
// search box: what is typed (2 letters or more) asks the endpoint for the scope's matches, which become the
// picker's choices; choosing one sends the form as above. The endpoint answers only within the user's scope.
for (const select of document.querySelectorAll("select[data-search]")) {
  const box = document.createElement("input");
  box.type = "search";
  box.className = "form-control form-control-sm mb-1";
  box.placeholder = select.dataset.searchLabel || "";
  box.setAttribute("aria-label", select.dataset.searchLabel || "");
  box.setAttribute("aria-controls", select.id);
  box.dataset.testid = "picker-search-" + select.name;
  select.before(box);
  const all = select.options[0] ? select.options[0].text : "";
  let timer = null;
  let asked = 0;
  box.addEventListener("input", () => {
    clearTimeout(timer);
    const typed = box.value.trim();
    if (typed.length < 2) return;
    timer = setTimeout(async () => {
      const ask = ++asked;
      const params = new URLSearchParams({q: typed});
      for (const name of ["province", "commune"]) {
        const field = select.form.elements.namedItem(name);
        if (field && field.value) params.set(name, field.value);
      }
      const response = await fetch(select.dataset.search + "?" + params, {headers: {Accept: "application/json"}});
      if (!response.ok || ask !== asked) return;
      const {results} = await response.json();
      const chosen = select.value;
      select.replaceChildren(new Option(all, ""));
      for (const school of results) {
        const label = school.commune ? `${school.name} (${school.code}, ${school.commune})` : `${school.name} (${school.code})`;
        select.add(new Option(label, String(school.id), false, String(school.id) === chosen));
      }
      select.size = Math.min(results.length + 1, 8);  // open as a list under the box
    }, 250);
  });
  // Enter in the box must not send the form with the text as a filter: the box has no name, so nothing is sent.
}
