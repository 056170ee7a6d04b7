// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // Phone menu: a button folds the navigation; Escape or following a link closes it.
  const bar = document.querySelector(".topbar");
  const toggle = document.querySelector(".menu-toggle");
  if (bar && toggle) {
    const setOpen = (open) => {
      bar.classList.toggle("is-open", open);
      toggle.setAttribute("aria-expanded", String(open));
    };
    toggle.addEventListener("click", () => setOpen(!bar.classList.contains("is-open")));
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape") setOpen(false);
    });
  }

  // The language switcher submits on change; its button stays for users without script.
  const lang = document.querySelector("form.lang select");
  if (lang) lang.addEventListener("change", () => lang.form.submit());
})();
