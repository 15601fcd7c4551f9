// Jalon's planning editor: the WBS grid (typed cells posted with htmx) and the Gantt
// (frappe-gantt, redrawn after each edit with the bars the answer carries, or reloaded from
// the JSON endpoint).
//
// Every edit posts ONE change to the server, which reschedules the project and answers
// with what changed. A typed cell, a dragged bar or a drawn link: the rows whose values
// changed, swapped out of band by id (the grid is otherwise left as it is), and their
// bars in #gantt-changes, which replace those bars in the Gantt. A structural edit (add,
// delete, indent, outdent, move), a conflict or bad input: every grid row, and the
// HX-Trigger header "jalon:scheduled" makes the Gantt reload its bars. Both answers
// update, out of band, the message area and the project's dates.
//
// Additions to frappe-gantt, drawn after each render: baseline bars under the bars,
// milestone diamonds, and a link handle (a dot at the end of each bar): drag it onto
// another bar to create a finish-to-start link.
(function () {
  "use strict";
  const editor = document.getElementById("editor");
  if (!editor) return;
  const ds = editor.dataset;
  const canEdit = ds.canEdit === "1";
  const SVGNS = "http://www.w3.org/2000/svg";
  let gantt = null;
  let tasks = [];
  let viewMode = "Week";
  let selected = null; // pk of the selected row
  let pendingFocus = null; // {pk, field} to focus after the rows are swapped
  let hiddenRows = new Set(); // pks (strings) of the rows inside a collapsed summary

  // 409 (conflict), 422 (bad input) and 403 answers carry rows and a message: swap them
  function configureHtmx() {
    htmx.config.responseHandling = [
      { code: "204", swap: false },
      { code: "[23]..", swap: true },
      { code: "(403|409|422)", swap: true, error: false },
      { code: "[45]..", swap: false, error: true },
    ];
  }

  // -- grid -----------------------------------------------------------------------------
  function rowOf(el) {
    return el && el.closest ? el.closest("tr[data-pk]") : null;
  }

  function setBusy(on) {
    editor.classList.toggle("busy", on);
    const saving = document.getElementById("saving");
    if (saving) saving.hidden = !on;
  }

  function post(url, values, focus) {
    pendingFocus = focus || null;
    setBusy(true);
    return htmx.ajax("POST", url, { target: "#wbs-body", swap: "outerHTML", values: values });
  }

  function sendCell(input) {
    const tr = rowOf(input);
    if (!tr || input.readOnly || input.value === input.defaultValue) return;
    input.dataset.sent = "1";
    post(
      ds.editUrl,
      { task: tr.dataset.pk, version: tr.dataset.version, field: input.name, value: input.value },
      { pk: tr.dataset.pk, field: input.name, next: input.dataset.next === "1" },
    );
  }

  function select(tr) {
    document.querySelectorAll("#wbs-body tr.selected").forEach((r) => r.classList.remove("selected"));
    if (!tr) return;
    tr.classList.add("selected");
    selected = tr.dataset.pk;
    document.querySelectorAll("#gantt .bar-wrapper.selected-bar").forEach((b) => b.classList.remove("selected-bar"));
    const bar = document.querySelector(`#gantt .bar-wrapper[data-id="t${selected}"]`);
    if (bar) bar.classList.add("selected-bar");
  }

  function action(name) {
    if (name === "add") {
      post(ds.addUrl, selected ? { after: selected } : {}, { pk: "new", field: "name" });
      return;
    }
    const tr = selected && document.getElementById(`task-${selected}`);
    if (!tr) {
      showMessage(editor.dataset.selectFirst || "Select a task first.");
      return;
    }
    if (name === "delete") {
      const label = tr.querySelector("input[name=name]").value;
      if (!window.confirm(`${editor.dataset.confirmDelete || "Delete"} “${label}”?`)) return;
    }
    post(ds.actionUrl.replace("ACTION", name), { task: tr.dataset.pk, version: tr.dataset.version }, { pk: tr.dataset.pk, field: "name" });
  }

  function showMessage(text) {
    const box = document.getElementById("editor-message");
    box.innerHTML = "";
    const div = document.createElement("div");
    div.className = "message error";
    div.textContent = text;
    box.appendChild(div);
  }

  function bindGrid() {
    const body = document;
    body.addEventListener("focusin", (e) => {
      const tr = rowOf(e.target);
      if (tr && tr.closest("#wbs-body")) select(tr);
    });
    body.addEventListener("change", (e) => {
      const input = e.target;
      if (!input.matches || !input.matches("#wbs-body input.cell") || input.dataset.sent) return;
      sendCell(input);
    });
    body.addEventListener("keydown", (e) => {
      const input = e.target;
      if (input.matches && input.matches("#wbs-body input.cell")) {
        if (e.key === "Enter") {
          e.preventDefault();
          if (input.value !== input.defaultValue && !input.readOnly) {
            input.dataset.next = "1";
            sendCell(input);
          } else {
            focusCell(nextRow(rowOf(input), 1), input.name);
          }
          return;
        }
        if (e.key === "Escape") {
          input.value = input.defaultValue;
          return;
        }
        if (e.key === "ArrowDown" || e.key === "ArrowUp") {
          if (!e.altKey) {
            e.preventDefault();
            focusCell(nextRow(rowOf(input), e.key === "ArrowDown" ? 1 : -1), input.name);
            return;
          }
        }
      }
      if (!canEdit) return;
      if (e.altKey && e.shiftKey) {
        const map = { ArrowRight: "indent", ArrowLeft: "outdent", ArrowUp: "up", ArrowDown: "down" };
        if (map[e.key]) {
          e.preventDefault();
          action(map[e.key]);
        }
      } else if (e.key === "Insert") {
        e.preventDefault();
        action("add");
      } else if (e.key === "Delete" && e.ctrlKey) {
        e.preventDefault();
        action("delete");
      }
    });
    editor.querySelectorAll("[data-action]").forEach((b) => b.addEventListener("click", () => action(b.dataset.action)));
    const add = document.getElementById("add-task");
    if (add) {
      add.addEventListener("submit", (e) => {
        e.preventDefault();
        const name = add.elements.name.value.trim();
        if (!name) return;
        post(ds.addUrl, { name: name }, { pk: "add", field: "name" });
        add.elements.name.value = "";
      });
    }
    // the conflict panel's buttons
    document.addEventListener("click", (e) => {
      const b = e.target.closest && e.target.closest("[data-conflict]");
      if (!b) return;
      if (b.dataset.conflict === "theirs") {
        pendingFocus = null;
        htmx.ajax("GET", ds.rowsUrl, { target: "#wbs-body", swap: "outerHTML" });
      } else {
        post(ds.editUrl, { task: b.dataset.task, version: b.dataset.version, field: b.dataset.field, value: b.dataset.value }, { pk: b.dataset.task, field: b.dataset.field });
      }
    });
  }

  function nextRow(tr, step) {
    let row = tr;
    do {
      row = row && (step > 0 ? row.nextElementSibling : row.previousElementSibling);
    } while (row && row.hidden);
    return row;
  }

  // -- outline: summaries collapsed and expanded (MS Project's "Show subtasks" and
  // "Outline level"), remembered per project in a cookie the server reads, so that the
  // rows folded come hidden (a plan of more than 2,000 tasks opens on outline level 2
  // until the user chooses: the page then lays out and draws the rows shown only). -----
  const outlineCookie = `jalon_outline_${ds.project}`;
  let collapsed = new Set();
  let outlineLevel = "";

  function loadOutline() {
    let saved = null;
    try {
      saved = JSON.parse(ds.outline || "null");
    } catch (e) {
      saved = null;
    }
    if (saved) {
      collapsed = new Set((saved.collapsed || []).map(String));
      outlineLevel = saved.level || "";
    }
    const select = document.getElementById("outline-level");
    if (select) select.value = outlineLevel;
  }

  function saveOutline() {
    // a level needs no list: the server folds the summaries at that level itself; a
    // cookie holds about 4 kB: past that, the first summaries folded are kept
    const pks = outlineLevel ? [] : [...collapsed];
    let value = JSON.stringify({ collapsed: pks, level: outlineLevel });
    while (value.length > 3000 && pks.length) {
      pks.splice(Math.floor(pks.length / 2));
      value = JSON.stringify({ collapsed: pks, level: outlineLevel });
    }
    const path = location.pathname.replace(/plan\/.*$/, "");
    document.cookie = `${outlineCookie}=${encodeURIComponent(value)}; path=${path}; max-age=31536000; SameSite=Lax`;
  }

  // collapse every summary at level ``level`` or deeper ("": expand all)
  function showLevel(level, save = true) {
    outlineLevel = level;
    collapsed = new Set();
    if (level) {
      for (const tr of document.querySelectorAll("#wbs-body tr.summary[data-pk]")) {
        if (Number(tr.dataset.level) >= Number(level)) collapsed.add(tr.dataset.pk);
      }
    }
    if (save) saveOutline();
  }

  // rows hidden under a collapsed summary; true when the hidden set changed
  function applyOutline() {
    const hide = new Set();
    let under = 0; // level of the collapsed summary whose subtree this is (0: none)
    for (const tr of document.querySelectorAll("#wbs-body tr[data-pk]")) {
      const level = Number(tr.dataset.level) || 1;
      if (under && level <= under) under = 0;
      const inside = under > 0;
      if (tr.hidden !== inside) tr.hidden = inside;
      if (inside) hide.add(tr.dataset.pk);
      const closed = tr.classList.contains("summary") && collapsed.has(tr.dataset.pk);
      tr.classList.toggle("collapsed", closed);
      if (!inside && closed) under = level;
    }
    const changed = hide.size !== hiddenRows.size || [...hide].some((pk) => !hiddenRows.has(pk));
    hiddenRows = hide;
    return changed;
  }

  function bindOutline() {
    document.addEventListener("click", (e) => {
      const toggle = e.target.closest && e.target.closest("#wbs-body tr.summary .kind");
      if (!toggle) return;
      const pk = rowOf(toggle).dataset.pk;
      if (collapsed.has(pk)) collapsed.delete(pk);
      else collapsed.add(pk);
      outlineLevel = "";
      const select = document.getElementById("outline-level");
      if (select) select.value = "";
      saveOutline();
      if (applyOutline()) drawGantt();
    });
    const select = document.getElementById("outline-level");
    if (select) {
      select.addEventListener("change", () => {
        showLevel(select.value);
        if (applyOutline()) drawGantt();
      });
    }
  }

  function focusCell(tr, field) {
    if (!tr) return;
    const input = tr.querySelector(`input[name="${field}"]`);
    if (input) {
      input.focus();
      input.select();
    }
  }

  // the bars an edit changed (the answer's #gantt-changes): replaced by id, then the
  // Gantt redrawn; a bar it does not know (a task that got dates) reloads them all
  function applyBarChanges(redraw = false) {
    const data = document.getElementById("gantt-changes-data");
    if (!data) {
      if (redraw) drawGantt();
      return;
    }
    const changed = JSON.parse(data.textContent);
    data.remove();
    const at = new Map(tasks.map((t, i) => [t.id, i]));
    let unknown = false;
    let relinked = false;
    for (const t of changed) {
      const i = at.get(t.id);
      if (i === undefined) unknown = true;
      else {
        if (tasks[i].dependencies !== t.dependencies) relinked = true;
        tasks[i] = t;
      }
    }
    if (unknown) loadGantt();
    else if (redraw || relinked || (changed.length && !updateBars(changed))) drawGantt();
  }

  // "2027-03-01 08:00" (the Gantt JSON's dates) as a local Date
  function parseStamp(text) {
    return new Date(text.replace(" ", "T"));
  }

  // a task's end as frappe-gantt reads it: a date at midnight means the whole day
  function endOf(text) {
    const end = parseStamp(text);
    if (!end.getHours() && !end.getMinutes() && !end.getSeconds() && !end.getMilliseconds()) {
      end.setTime(end.getTime() + 24 * 3600 * 1000);
    }
    return end;
  }

  // The bars an edit changed, redrawn in place: each is replaced by a new frappe-gantt
  // bar (its refresh would keep the old classes and add event handlers again), the
  // arrows touching it are re-pointed and redrawn, and Jalon's marks drawn again. False
  // when it cannot be done in place (no chart, a drag under way, a date beyond the
  // chart's range): the caller redraws the chart.
  function updateBars(changed) {
    const svg = document.querySelector("#gantt svg.gantt");
    const layer = svg && svg.querySelector(".jalon-layer");
    if (!gantt || !layer || !BarClass || holding || redrawWaiting) return false;
    const own = new Map(gantt.tasks.map((t) => [t.id, t]));
    changed = changed.filter((t) => !hiddenRows.has(String(t.pk))); // no bar to redraw
    const dates = changed.map((t) => [parseStamp(t.start), endOf(t.end)]);
    const fits = changed.every(
      (t, j) => own.has(t.id) && dates[j][0] >= gantt.gantt_start && dates[j][1] <= gantt.gantt_end,
    );
    if (!fits) return false;
    changed.forEach((t, j) => {
      const task = own.get(t.id);
      const { dependencies, ...values } = t; // unchanged (else relinked): keep frappe's list
      Object.assign(task, values, { _start: dates[j][0], _end: dates[j][1] });
      const old = gantt.bars[task._index];
      const bar = new BarClass(gantt, task);
      old.group.replaceWith(bar.group);
      if (old.$date_highlight) old.$date_highlight.remove(); // the new bar made its own
      gantt.bars[task._index] = bar;
      bar.arrows = old.arrows || [];
      for (const arrow of bar.arrows) {
        if (arrow.from_task === old) arrow.from_task = bar;
        if (arrow.to_task === old) arrow.to_task = bar;
        arrow.update();
      }
      const handle = handles.get(t.id);
      if (handle) handle.remove();
      decorateBar(t, bar.group, layer, pxPerMs);
      if (String(selected) === String(t.pk)) bar.group.classList.add("selected-bar");
    });
    document.getElementById("gantt").dataset.ready = String(Date.now());
    return true;
  }

  function afterRowsSwap() {
    setBusy(false);
    // rows shown or hidden differently (a summary that became a task...): redraw
    applyBarChanges(applyOutline());
    const rows = document.querySelectorAll("#wbs-body tr[data-pk]");
    const empty = document.getElementById("empty-state");
    if (empty) empty.hidden = rows.length > 0;
    const invalid = document.querySelector("#wbs-body input[aria-invalid=true]");
    if (invalid) {
      invalid.focus();
      return;
    }
    if (!pendingFocus) return;
    const f = pendingFocus;
    pendingFocus = null;
    if (f.pk === "add") {
      const add = document.getElementById("add-task");
      if (add) add.elements.name.focus();
      return;
    }
    let tr = f.pk === "new" ? null : document.getElementById(`task-${f.pk}`);
    if (f.pk === "new") {
      // the added row: the one after the selected, else the last
      const prev = selected && document.getElementById(`task-${selected}`);
      tr = prev ? prev.nextElementSibling : rows[rows.length - 1];
    }
    if (!tr) return;
    select(tr);
    focusCell(f.next ? nextRow(tr, 1) || tr : tr, f.field);
  }

  // -- Gantt ----------------------------------------------------------------------------
  const QUARTER = {
    name: "Quarter",
    padding: "3m",
    step: "3m",
    column_width: 110,
    date_format: "YYYY-MM",
    lower_text: (d) => `T${Math.floor(d.getMonth() / 3) + 1}`.replace("T", ds.lang === "fr" ? "T" : "Q"),
    upper_text: (d, ld) => (!ld || d.getFullYear() !== ld.getFullYear() ? String(d.getFullYear()) : ""),
    thick_line: (d) => d.getMonth() === 0,
  };

  // frappe-gantt starts on the first of its view_modes (whatever view_mode says): the
  // current one goes first
  function viewModes() {
    const modes = [Gantt.VIEW_MODE.DAY, Object.assign({}, Gantt.VIEW_MODE.WEEK, { column_width: 90 }), Gantt.VIEW_MODE.MONTH, QUARTER];
    const at = modes.findIndex((m) => m.name === viewMode);
    return [modes[at], ...modes.filter((m, i) => i !== at)];
  }

  function loadGantt() {
    return fetch(ds.ganttUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then((r) => r.json())
      .then((data) => {
        tasks = data.tasks;
        drawGantt();
      });
  }

  // a redraw under a held mouse button would drop the drag it started (the bar being
  // dragged is replaced): a redraw asked for meanwhile waits for the button's release
  let holding = false;
  let redrawWaiting = false;
  document.addEventListener(
    "mousedown",
    (e) => {
      holding = e.button === 0 && !!(e.target.closest && e.target.closest("#gantt"));
    },
    true,
  );

  // frappe-gantt measures each bar's label, and on every scroll each bar's group, with
  // getBBox: a layout per bar, most of a 5,000-task redraw. Labels are measured on a
  // canvas instead (no layout) and the chart's extent from the bars' attributes.
  let measure = null;
  let BarClass = null;
  function textWidth(label) {
    if (!measure) {
      measure = document.createElement("canvas").getContext("2d");
      const style = getComputedStyle(label);
      measure.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    }
    return measure.measureText(label.textContent).width;
  }

  function patchGantt() {
    if (Gantt.prototype.jalonPatched) return;
    Gantt.prototype.jalonPatched = true;
    Gantt.prototype.get_start_end_positions = function () {
      if (!this.bars.length) return [0, 0, 0];
      const x0 = this.bars[0].$bar.getX();
      let first = x0, last = x0, end = x0;
      for (const bar of this.bars) {
        const x = bar.$bar.getX();
        first = Math.min(first, x);
        last = Math.max(last, x);
        end = Math.max(end, x + bar.$bar.getWidth());
      }
      return [first, last, end];
    };
    // the bar class is frappe-gantt's own: found on a one-task chart drawn off screen
    const probe = document.createElement("div");
    probe.style.cssText = "position:absolute;left:-10000px;top:0;width:300px;height:100px";
    document.body.appendChild(probe);
    const chart = new Gantt(probe, [{ id: "probe", name: "probe", start: "2027-01-04", end: "2027-01-05" }], { readonly: true });
    const Bar = chart.bars[0].constructor;
    BarClass = Bar;
    probe.remove();
    Gantt.prototype.get_task = function (id) {
      // by id from a map made once per task list (frappe-gantt searches the list)
      if (this.jalonTasks !== this.tasks) {
        this.jalonTasks = this.tasks;
        this.jalonTaskById = new Map(this.tasks.map((t) => [t.id, t]));
      }
      return this.jalonTaskById.get(id);
    };
    Gantt.prototype.map_arrows_on_bars = function () {
      // one pass over the arrows (frappe-gantt filters them all for every bar)
      const touching = new Map();
      for (const arrow of this.arrows) {
        for (const id of new Set([arrow.from_task.task.id, arrow.to_task.task.id])) {
          if (!touching.has(id)) touching.set(id, []);
          touching.get(id).push(arrow);
        }
      }
      for (const bar of this.bars) bar.arrows = touching.get(bar.task.id) || [];
    };
    Bar.prototype.update_label_position = function () {
      const label = this.group.querySelector(".bar-label");
      if (!label) return;
      const bar = this.$bar;
      const width = textWidth(label);
      const x = bar.getX(), w = bar.getWidth();
      if (width > w) {
        label.classList.add("big");
        label.setAttribute("x", x + w + 5);
      } else {
        label.classList.remove("big");
        label.setAttribute("x", x + w / 2 - width / 2);
      }
    };
  }

  function drawGantt() {
    if (holding) {
      redrawWaiting = true;
      return;
    }
    const el = document.getElementById("gantt");
    const scroller = el.querySelector(".gantt-container");
    const scroll = scroller ? [scroller.scrollLeft, scroller.scrollTop] : null;
    el.innerHTML = "";
    gantt = null;
    if (!tasks.length) {
      el.innerHTML = `<p class="muted gantt-empty">${editor.dataset.emptyGantt || ""}</p>`;
      return;
    }
    patchGantt();
    // frappe-gantt changes the objects it is given: hand it copies (of the rows shown)
    const copies = tasks.filter((t) => !hiddenRows.has(String(t.pk))).map((t) => Object.assign({}, t));
    gantt = new Gantt(el, copies, {
      view_mode: viewMode,
      view_modes: viewModes(),
      language: ds.lang || "en",
      readonly: !canEdit,
      readonly_progress: true,
      move_dependencies: false,
      infinite_padding: false,
      today_button: false,
      view_mode_select: false,
      scroll_to: scroll ? null : "start",
      bar_height: 18,
      padding: 14,
      upper_header_height: 24,
      lower_header_height: 24,
      container_height: document.getElementById("wbs-wrap").clientHeight,
      popup_on: "click",
      on_date_change: onDateChange,
      on_click: (task) => {
        const tr = document.getElementById(`task-${task.pk}`);
        if (tr) select(tr);
      },
    });
    decorate();
    const sc = el.querySelector(".gantt-container");
    if (sc && scroll) {
      sc.scrollLeft = scroll[0];
      sc.scrollTop = scroll[1];
    }
    syncScroll();
    if (selected) {
      const bar = el.querySelector(`.bar-wrapper[data-id="t${selected}"]`);
      if (bar) bar.classList.add("selected-bar");
    }
    el.dataset.ready = String(Date.now());
  }

  function fmt(d) {
    const p = (n) => String(n).padStart(2, "0");
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
  }

  // frappe-gantt may report a drag while the mouse moves: keep the last report and post
  // it once the mouse button is released
  let dragged = null;
  function onDateChange(task, start, end) {
    dragged = { task, start, end };
  }
  document.addEventListener(
    "mouseup",
    () => {
      holding = false;
      setTimeout(() => {
        if (dragged) sendDrag();
        dragged = null;
        if (redrawWaiting) {
          redrawWaiting = false;
          drawGantt();
        }
      }, 0);
    },
    true,
  );

  function sendDrag() {
    const { task, start, end } = dragged;
    const old = tasks.find((t) => t.id === task.id);
    if (!old) return;
    const oldStart = parseStamp(old.start);
    const moved = Math.abs(start - oldStart) > 60 * 60 * 1000;
    // the day only: the server keeps the task's time of day
    post(
      ds.dragUrl,
      { task: old.pk, version: old.version, mode: moved ? "move" : "resize", value: fmt(moved ? start : end).slice(0, 10) },
      null,
    );
  }

  function svgEl(name, attrs, parent) {
    const el = document.createElementNS(SVGNS, name);
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
    if (parent) parent.appendChild(el);
    return el;
  }

  // task id -> its bar wrapper, read once per draw (a query per task is quadratic)
  function barWrappers(svg) {
    const wraps = new Map();
    for (const wrap of svg.querySelectorAll(".bar-wrapper[data-id]")) wraps.set(wrap.dataset.id, wrap);
    return wraps;
  }

  // pixels per millisecond, measured on a bar that has a width
  function scale(wraps) {
    for (const t of tasks) {
      const wrap = wraps.get(t.id);
      const bar = wrap && wrap.querySelector(".bar");
      const ms = parseStamp(t.end) - parseStamp(t.start);
      if (bar && ms > 0) {
        const w = Number(bar.getAttribute("width"));
        if (w > 0) return w / ms;
      }
    }
    return 0;
  }

  let pxPerMs = 0;
  const handles = new Map(); // task id -> its link handle
  function decorate() {
    const svg = document.querySelector("#gantt svg.gantt");
    handles.clear();
    if (!svg) return;
    const wraps = barWrappers(svg);
    const k = scale(wraps);
    pxPerMs = k;
    const layer = svgEl("g", { class: "jalon-layer" }, svg);
    for (const t of tasks) {
      const wrap = wraps.get(t.id);
      if (wrap) decorateBar(t, wrap, layer, k);
    }
    drawToday(svg, wraps, k);
  }

  // Jalon's marks on a bar: baseline, milestone diamond, link handle (in ``layer``)
  function decorateBar(t, wrap, layer, k) {
    const bar = wrap.querySelector(".bar");
    if (!bar) return;
    const x = Number(bar.getAttribute("x"));
    const y = Number(bar.getAttribute("y"));
    const h = Number(bar.getAttribute("height"));
    const w = Number(bar.getAttribute("width"));
    wrap.dataset.pk = t.pk;
    wrap.setAttribute("data-critical", t.critical ? "true" : "false");
    if (t.baseline_start && t.baseline_end && k) {
      const bx = x + (parseStamp(t.baseline_start) - parseStamp(t.start)) * k;
      const bw = Math.max(2, (parseStamp(t.baseline_end) - parseStamp(t.baseline_start)) * k);
      svgEl("rect", { class: "baseline-bar", x: bx, y: y + h + 1, width: bw, height: 4, rx: 1 }, wrap.querySelector(".bar-group") || wrap);
    }
    if (t.kind === "milestone") {
      const cx = x + w, cy = y + h / 2, r = h / 2 + 1;
      svgEl("polygon", { class: "milestone-diamond", points: `${cx},${cy - r} ${cx + r},${cy} ${cx},${cy + r} ${cx - r},${cy}` }, wrap.querySelector(".bar-group") || wrap);
    }
    if (canEdit && t.kind !== "summary") {
      const dot = svgEl("circle", { class: "link-handle", cx: x + w + (t.kind === "milestone" ? h / 2 + 6 : 6), cy: y + h / 2, r: 4, "data-pk": t.pk }, layer);
      dot.addEventListener("mousedown", startLink);
      handles.set(t.id, dot);
    }
  }

  function drawToday(svg, wraps, k) {
    // frappe-gantt marks today itself when today is in view; our line spans the rows
    const t = tasks.find((x) => wraps.has(x.id) && wraps.get(x.id).querySelector(".bar"));
    if (!k || !t) return;
    const bar = wraps.get(t.id).querySelector(".bar");
    const x = Number(bar.getAttribute("x")) + (Date.now() - parseStamp(t.start)) * k;
    const width = Number(svg.getAttribute("width")) || svg.getBBox().width;
    if (x < 0 || x > width) return;
    svgEl("line", { class: "today-line", x1: x, x2: x, y1: 0, y2: svg.getAttribute("height") || 2000 }, svg.querySelector(".jalon-layer"));
  }

  // drag from a link handle to another bar: a finish-to-start link
  function startLink(e) {
    e.preventDefault();
    e.stopPropagation();
    const svg = document.querySelector("#gantt svg.gantt");
    const from = e.target.dataset.pk;
    const pt = svg.createSVGPoint();
    const at = (ev) => {
      pt.x = ev.clientX;
      pt.y = ev.clientY;
      return pt.matrixTransform(svg.getScreenCTM().inverse());
    };
    const start = at(e);
    const line = svgEl("line", { class: "link-draft", x1: start.x, y1: start.y, x2: start.x, y2: start.y }, svg);
    const move = (ev) => {
      const p = at(ev);
      line.setAttribute("x2", p.x);
      line.setAttribute("y2", p.y);
    };
    const up = (ev) => {
      document.removeEventListener("mousemove", move);
      document.removeEventListener("mouseup", up);
      line.remove();
      const target = document.elementFromPoint(ev.clientX, ev.clientY);
      const wrap = target && target.closest && target.closest(".bar-wrapper");
      const to = wrap && wrap.dataset.pk;
      if (to && to !== from) post(ds.linkUrl, { predecessor: from, successor: to }, { pk: to, field: "predecessors" });
    };
    document.addEventListener("mousemove", move);
    document.addEventListener("mouseup", up);
  }

  // the grid and the Gantt scroll together vertically
  let syncing = false;
  function syncScroll() {
    const left = document.getElementById("wbs-wrap");
    const right = document.querySelector("#gantt .gantt-container");
    if (!left || !right) return;
    right.onscroll = () => {
      if (syncing) return;
      syncing = true;
      left.scrollTop = right.scrollTop;
      syncing = false;
    };
    left.onscroll = () => {
      if (syncing) return;
      syncing = true;
      right.scrollTop = left.scrollTop;
      syncing = false;
    };
  }

  function bindZoom() {
    editor.querySelectorAll("[data-zoom]").forEach((b) =>
      b.addEventListener("click", () => {
        viewMode = b.dataset.zoom;
        editor.querySelectorAll("[data-zoom]").forEach((x) => x.classList.toggle("current", x === b));
        const sc = document.querySelector("#gantt .gantt-container");
        if (sc) sc.scrollLeft = 0;
        drawGantt();
      }),
    );
  }

  function init() {
    configureHtmx();
    loadOutline();
    applyOutline();
    bindOutline();
    bindGrid();
    bindZoom();
    document.body.addEventListener("htmx:afterSwap", (e) => {
      if (e.detail.target && e.detail.target.id === "wbs-body") afterRowsSwap();
    });
    document.body.addEventListener("htmx:responseError", () => {
      setBusy(false);
      showMessage(editor.dataset.serverError || "The server could not save this change.");
    });
    // "bars": the answer carries the changed bars (applied after the swap)
    document.body.addEventListener("jalon:scheduled", (e) => {
      if (!(e.detail && e.detail.bars)) loadGantt();
    });
    loadGantt();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
