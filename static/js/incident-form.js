// Quick entry of an incident: region search by name or code, the election stage running at
// the chosen moment, the indicator's default ATHG class, the contests of the chosen region,
// and the phone's own location. The form is complete without this file (selects and code
// inputs); the server re-checks everything.
(function () {
  "use strict";

  const form = document.getElementById("incident-form");
  if (!form) return;
  const strings = JSON.parse(document.getElementById("incident-form-strings").textContent);
  // Indonesia keeps no daylight saving: each zone is a fixed offset.
  const OFFSETS = { WIB: "+07:00", WITA: "+08:00", WIT: "+09:00" };
  const LEVELS = { kabkota: 2, kecamatan: 3, desa: 4 };
  const format = (text, values) => text.replace(/%\((\w+)\)s/g, (_, key) => values[key] ?? "");
  const el = (tag, props = {}, ...children) => {
    const node = Object.assign(document.createElement(tag), props);
    node.append(...children);
    return node;
  };

  async function getJSON(url, signal) {
    const response = await fetch(url, {
      headers: { Accept: "application/json" }, credentials: "same-origin", signal,
    });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const body = await response.json();
    return Array.isArray(body) ? body : body.results || [];
  }

  // --- Region search (ARIA 1.2 combobox with a listbox popup) -----------------------------

  let pickerCount = 0;

  class RegionPicker {
    constructor(wrapper, parent) {
      this.wrapper = wrapper;
      this.kind = wrapper.dataset.picker;
      this.level = LEVELS[this.kind];
      this.parent = parent;
      this.children = [];
      this.results = [];
      this.active = -1;
      this.controller = null;
      this.timer = null;
      const field = wrapper.querySelector("select, input");
      const label = wrapper.querySelector("label");
      const listId = `region-list-${++pickerCount}`;

      let chosen = null;
      if (field.value) {
        const option = field.tagName === "SELECT" ? field.selectedOptions[0] : null;
        const name = option ? option.dataset.name : wrapper.dataset.name;
        const tz = option ? option.dataset.timezone : wrapper.dataset.timezone;
        chosen = { code: field.value, name: name || field.value, timezone: tz || "" };
      }

      this.hidden = el("input", { type: "hidden", name: field.name });
      this.input = el("input", {
        type: "text", id: field.id, className: "combobox-input", autocomplete: "off",
        spellcheck: false, required: field.required,
      });
      this.input.setAttribute("role", "combobox");
      this.input.setAttribute("aria-autocomplete", "list");
      this.input.setAttribute("aria-expanded", "false");
      this.input.setAttribute("aria-controls", listId);
      this.input.setAttribute("autocapitalize", "none");
      this.input.setAttribute("enterkeyhint", "search");
      for (const attr of ["aria-describedby", "aria-invalid"]) {
        if (field.hasAttribute(attr)) this.input.setAttribute(attr, field.getAttribute(attr));
      }
      this.list = el("ul", { id: listId, className: "combobox-list", hidden: true });
      this.list.setAttribute("role", "listbox");
      if (label) this.list.setAttribute("aria-label", label.textContent.trim());
      this.live = el("span", { className: "visually-hidden" });
      this.live.setAttribute("aria-live", "polite");
      this.note = el("p", { className: "combobox-note", hidden: true });
      const box = el("div", { className: "combobox" }, this.input, this.list);
      field.replaceWith(box);
      wrapper.append(this.hidden, this.live, this.note);

      this.set(chosen, { silent: true });
      if (parent) parent.children.push(this);
      this.syncEnabled();

      this.input.addEventListener("input", () => this.onInput());
      this.input.addEventListener("focus", () => this.search());
      this.input.addEventListener("keydown", (event) => this.onKey(event));
      this.input.addEventListener("blur", () => {
        setTimeout(() => { if (document.activeElement !== this.input) this.close(); }, 150);
      });
      // Keep the focus in the input while an option is pressed (desktop mice).
      this.list.addEventListener("mousedown", (event) => event.preventDefault());
      this.list.addEventListener("click", (event) => {
        const option = event.target.closest("[role=option]");
        if (option) this.choose(Number(option.dataset.index));
      });
    }

    get code() { return this.hidden.value; }

    syncEnabled() {
      if (!this.parent) {
        this.input.placeholder = strings.typeKabkota;
        return;
      }
      const ready = Boolean(this.parent.code);
      this.input.disabled = !ready;
      if (ready) this.input.placeholder = strings.typeName;
      else if (this.parent.kind === "kabkota") this.input.placeholder = strings.chooseParent;
      else this.input.placeholder = strings.chooseKecamatan;
    }

    set(value, { silent = false } = {}) {
      const changed = (value ? value.code : "") !== this.hidden.value;
      this.value = value;
      this.hidden.value = value ? value.code : "";
      this.input.value = value ? value.name : "";
      this.input.setCustomValidity("");
      this.showNote("");
      if (changed || silent) {
        for (const child of this.children) {
          if (!silent) child.set(null);
          child.syncEnabled();
        }
      }
      if (changed && !silent) {
        this.wrapper.dispatchEvent(new CustomEvent("region:change", {
          bubbles: true, detail: { kind: this.kind, value },
        }));
      }
    }

    onInput() {
      const text = this.input.value;
      if (this.value && text !== this.value.name) {
        this.set(null); // typing over a chosen region un-chooses it
        this.input.value = text;
      }
      this.input.setCustomValidity(!this.value && text.trim() ? strings.chooseFromList : "");
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.search(), 200);
    }

    query() {
      const params = new URLSearchParams({ level: String(this.level), page_size: "50" });
      let text = this.value && this.input.value === this.value.name ? "" : this.input.value.trim();
      if (this.parent) {
        params.set("parent", this.parent.code);
        // "01" under 13.77 means 13.77.01: codes are typed from the part below the parent.
        if (/^\d/.test(text) && !text.startsWith(this.parent.code)) {
          text = `${this.parent.code}.${text}`;
        }
      }
      if (text) params.set("q", text);
      return `${form.dataset.regionsUrl}?${params}`;
    }

    async search() {
      if (this.input.disabled) return;
      if (this.controller) this.controller.abort();
      this.controller = new AbortController();
      this.live.textContent = strings.searching;
      try {
        this.results = await getJSON(this.query(), this.controller.signal);
      } catch (error) {
        if (error.name === "AbortError") return;
        this.results = [];
        this.close();
        this.showNote(strings.failed, true);
        return;
      }
      if (document.activeElement !== this.input) return;
      this.render();
    }

    render() {
      this.active = -1;
      this.list.replaceChildren(...this.results.map((region, index) => {
        const option = el("li", { id: `${this.list.id}-${index}`, className: "combobox-option" },
          el("span", { className: "opt-name", textContent: region.name }),
          el("span", { className: "opt-meta", textContent: `${region.code} · ${region.timezone}` }));
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", String(Boolean(this.value && this.value.code === region.code)));
        option.dataset.index = String(index);
        option.dataset.code = region.code;
        return option;
      }));
      if (this.results.length) {
        this.open();
        this.showNote("");
        this.live.textContent = format(strings.results, { count: this.results.length });
      } else {
        this.close();
        this.showNote(strings.noRegion);
        this.live.textContent = strings.noRegion;
      }
    }

    showNote(text, isError = false) {
      this.note.textContent = text;
      this.note.hidden = !text;
      this.note.classList.toggle("error", isError);
    }

    open() {
      this.list.hidden = false;
      this.input.setAttribute("aria-expanded", "true");
    }

    close() {
      this.list.hidden = true;
      this.input.setAttribute("aria-expanded", "false");
      this.input.removeAttribute("aria-activedescendant");
      this.active = -1;
    }

    highlight(index) {
      const options = this.list.querySelectorAll("[role=option]");
      if (!options.length) return;
      this.active = (index + options.length) % options.length;
      options.forEach((option, i) => option.classList.toggle("is-active", i === this.active));
      const current = options[this.active];
      this.input.setAttribute("aria-activedescendant", current.id);
      current.scrollIntoView({ block: "nearest" });
    }

    choose(index) {
      const region = this.results[index];
      if (!region) return;
      this.set({ code: region.code, name: region.name, timezone: region.timezone });
      this.close();
    }

    onKey(event) {
      const isOpen = !this.list.hidden;
      switch (event.key) {
        case "ArrowDown":
          event.preventDefault();
          if (isOpen) this.highlight(this.active + 1); else this.search();
          break;
        case "ArrowUp":
          event.preventDefault();
          if (isOpen) this.highlight(this.active - 1);
          break;
        case "Enter":
          // Enter picks the highlighted region (or the only one) instead of sending the form.
          if (isOpen && (this.active >= 0 || this.results.length === 1)) {
            event.preventDefault();
            this.choose(this.active >= 0 ? this.active : 0);
          } else if (isOpen || (!this.value && this.input.value.trim())) {
            event.preventDefault();
          }
          break;
        case "Escape":
          if (isOpen) {
            event.preventDefault();
            event.stopPropagation();
            this.close();
          }
          break;
        default:
      }
    }
  }

  const wrappers = Object.fromEntries(
    [...form.querySelectorAll("[data-picker]")].map((w) => [w.dataset.picker, w]));
  const kabkota = wrappers.kabkota ? new RegionPicker(wrappers.kabkota, null) : null;
  const kecamatan = wrappers.kecamatan && kabkota ? new RegionPicker(wrappers.kecamatan, kabkota) : null;
  if (wrappers.desa && kecamatan) new RegionPicker(wrappers.desa, kecamatan);

  // --- The election stage at the chosen moment, read in the region's own time zone ------------

  const occurred = form.querySelector("input[name=occurred_at]");
  const stageOut = form.querySelector("[data-stage-output]");
  const tzLabel = form.querySelector("[data-tz-label]");
  let stageController = null;
  let stageTimer = null;

  function stageMessage(text, muted = true) {
    stageOut.replaceChildren(el("span", { className: muted ? "muted" : "error", textContent: text }));
  }

  async function updateStage() {
    const region = kabkota && kabkota.value;
    if (tzLabel && region && region.timezone) tzLabel.textContent = region.timezone;
    if (!stageOut || !occurred) return;
    if (!region || !occurred.value) {
      stageMessage(strings.stageHint);
      return;
    }
    const local = occurred.value.length === 16 ? `${occurred.value}:00` : occurred.value;
    const at = local + (OFFSETS[region.timezone] || OFFSETS.WIB);
    if (stageController) stageController.abort();
    stageController = new AbortController();
    try {
      const params = new URLSearchParams({ at, region: region.code });
      const stages = await getJSON(`${form.dataset.stagesUrl}?${params}`, stageController.signal);
      if (!stages.length) {
        stageMessage(strings.noStage);
        return;
      }
      stageOut.replaceChildren(`${strings.stagePrefix} `, ...stages.flatMap((stage) => [
        el("span", { className: "badge badge-now", textContent: stage.name }), " "]));
    } catch (error) {
      if (error.name !== "AbortError") stageMessage(strings.stageFailed, false);
    }
  }

  if (occurred) {
    const later = () => { clearTimeout(stageTimer); stageTimer = setTimeout(updateStage, 250); };
    occurred.addEventListener("input", later);
    occurred.addEventListener("change", later);
  }

  // --- The indicator's default ATHG class ------------------------------------------------------

  const indicator = form.querySelector("select[name=indicator]");
  const athg = form.querySelector("select[name=athg]");
  function updateAthg() {
    if (!indicator || !athg) return;
    const option = indicator.selectedOptions[0];
    const code = option && option.dataset.athg;
    const match = code && [...athg.options].find((o) => o.value === code);
    const blank = athg.options[0];
    if (!blank.dataset.label) blank.dataset.label = blank.textContent;
    blank.textContent = match ? format(strings.defaultAthg, { athg: match.textContent })
      : blank.dataset.label;
  }
  if (indicator) indicator.addEventListener("change", updateAthg);

  // --- Contests held in the chosen region, and the pairs of the chosen contest -----------------

  const contest = form.querySelector("select[name=contest]");
  const pair = form.querySelector("select[name=candidate_pair]");
  const contestOptions = contest ? [...contest.options] : [];
  const pairGroups = pair ? [...pair.children].map((node) => node.cloneNode(true)) : [];

  function updateContests() {
    if (!contest) return;
    const code = kabkota && kabkota.code;
    const keep = contestOptions.filter((o) => !o.value || !code ||
      o.dataset.region === code || o.dataset.region === code.slice(0, 2));
    const current = contest.value;
    contest.replaceChildren(...keep);
    contest.value = keep.some((o) => o.value === current) ? current : "";
    updatePairs();
  }

  function updatePairs() {
    if (!pair) return;
    const current = pair.value;
    const chosen = contest ? contest.value : "";
    const keep = pairGroups.filter((node) => (node.tagName === "OPTION" && !node.value) ||
      (node.tagName === "OPTGROUP" && chosen &&
        [...node.children].some((o) => o.dataset.contest === chosen)));
    pair.replaceChildren(...keep.map((node) => node.cloneNode(true)));
    pair.value = [...pair.options].some((o) => o.value === current) ? current : "";
    pair.disabled = pair.options.length <= 1;
  }
  if (contest) contest.addEventListener("change", updatePairs);

  form.addEventListener("region:change", (event) => {
    if (event.detail.kind !== "kabkota") return;
    updateContests();
    updateStage();
  });

  // --- The phone's location ------------------------------------------------------------------

  const locate = form.querySelector("[data-locate]");
  if (locate && "geolocation" in navigator) {
    const button = el("button", { type: "button", className: "secondary", textContent: strings.locate });
    const note = el("span", { className: "hint" });
    locate.append(button, " ", note);
    button.addEventListener("click", () => {
      note.textContent = strings.locating;
      navigator.geolocation.getCurrentPosition((position) => {
        form.querySelector("input[name=latitude]").value = position.coords.latitude.toFixed(6);
        form.querySelector("input[name=longitude]").value = position.coords.longitude.toFixed(6);
        note.textContent = "";
      }, () => { note.textContent = strings.locateFailed; },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    });
  }

  // --- One submission per press; the error summary gets the focus ---------------------------

  form.addEventListener("submit", (event) => {
    if (form.dataset.busy) event.preventDefault();
    else form.dataset.busy = "1";
  });
  window.addEventListener("pageshow", () => { delete form.dataset.busy; });
  const summary = document.getElementById("error-summary");
  if (summary) summary.focus();

  updateAthg();
  updateContests();
  updateStage();
})();
