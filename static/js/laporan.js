// Incident lists and the verification queue: filters open on wide screens, and the queue's
// "select all" box with a count of the ticked incidents. Every page works without it.
(function () {
  "use strict";

  // Filters fold behind their summary on phones; on a laptop they start open.
  if (window.matchMedia("(min-width: 900px)").matches) {
    document.querySelectorAll("details[data-open-wide]").forEach((d) => { d.open = true; });
  }

  const queue = document.querySelector("form[data-queue]");
  if (!queue) return;
  const strings = JSON.parse(document.getElementById("queue-strings").textContent);
  const boxes = [...queue.querySelectorAll("tbody input[name=incidents]")];
  const count = queue.querySelector("[data-selected-count]");
  const headCell = queue.querySelector("thead th.check");
  if (!boxes.length) return;

  const all = Object.assign(document.createElement("input"), { type: "checkbox", id: "pick-all" });
  const label = Object.assign(document.createElement("label"), {
    htmlFor: "pick-all", className: "visually-hidden", textContent: strings.selectAll,
  });
  headCell.replaceChildren(all, label);

  function refresh() {
    const ticked = boxes.filter((b) => b.checked).length;
    all.checked = ticked === boxes.length;
    all.indeterminate = ticked > 0 && ticked < boxes.length;
    if (count) count.textContent = strings.selected.replace("%(count)s", String(ticked));
    boxes.forEach((b) => b.closest("tr").classList.toggle("is-selected", b.checked));
  }
  all.addEventListener("change", () => {
    boxes.forEach((b) => { b.checked = all.checked; });
    refresh();
  });
  boxes.forEach((b) => b.addEventListener("change", refresh));
  refresh();
})();
