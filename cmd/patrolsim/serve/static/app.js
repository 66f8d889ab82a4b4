// The what-if page: loads the scenario into the form (the start scenario
// or an uploaded one), shows its map, validates and runs it on the server,
// follows progress, shows the ranking and compares two runs.
const token = new URLSearchParams(location.search).get("token") || "";
const withToken = (url) => token ? url + (url.includes("?") ? "&" : "?") + "token=" + encodeURIComponent(token) : url;
const $ = (id) => document.getElementById(id);
let base = null; // the form of the scenario being edited, as loaded

async function api(method, url, body) {
  const opts = { method, headers: {} };
  if (token) opts.headers["Authorization"] = "Bearer " + token;
  if (body instanceof FormData) {
    opts.body = body; // multipart: the browser sets the content type
  } else if (body !== undefined) {
    opts.headers["Content-Type"] = "application/json";
    opts.body = JSON.stringify(body);
  }
  const r = await fetch(url, opts);
  let data = null;
  try { data = await r.json(); } catch { data = null; }
  return { status: r.status, data };
}

function el(tag, attrs = {}, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "text") e.textContent = v; else e.setAttribute(k, v);
  }
  for (const k of kids) e.append(k);
  return e;
}

function fillForm(s) {
  $("scenario-name").textContent = "— " + s.name + (s.id === "start" ? "" : ` (uploaded ${s.source})`);
  $("scenario-facts").textContent = `${s.areas} areas in ${s.districts} districts, ${s.units.length} unit types, ${s.variants.length} variants`;
  const rows = $("unit-rows");
  rows.replaceChildren();
  s.units.forEach((u, i) => {
    const id = (f) => `unit-${i}-${f}`;
    const input = (f, type, value, label, extra = {}) => el("td", {}, el("input", { id: id(f), type, value: String(value), "aria-label": `${u.name} ${label}`, "data-unit": u.name, "data-field": f, ...extra }));
    rows.append(el("tr", {},
      el("th", { scope: "row", text: u.name }),
      input("count", "number", u.count, "count", { min: "0", step: "1" }),
      input("squad", "number", u.squad, "squad size", { min: "1", step: "1" }),
      input("shift_start", "text", u.shift_start, "shift start (HH:MM)", { size: "5" }),
      input("shift_hours", "number", u.shift_hours, "shift hours", { min: "0", max: "24", step: "any" })));
    rows.append(el("tr", {}, el("td", { colspan: "5" }, el("span", { class: "problem", id: `problem-units[${i}]`, role: "alert" }))));
  });
  const vl = $("variant-list");
  vl.replaceChildren();
  s.variants.forEach((v, i) => {
    const dispatch = el("select", { id: `variant-${i}-dispatch`, "aria-label": `${v.name} dispatch`, "data-variant-dispatch": v.name });
    for (const m of ["point-to-point", "hierarchical"]) {
      const o = el("option", { value: m, text: m });
      if (m === v.dispatch) o.setAttribute("selected", "");
      dispatch.append(o);
    }
    const pol = el("select", { id: `variant-${i}-policy`, "aria-label": `${v.name} policy`, "data-variant-policy": v.name });
    for (const p of s.policies) {
      const o = el("option", { value: p.name, text: p.name, title: p.doc });
      if (p.name === v.policy) o.setAttribute("selected", "");
      pol.append(o);
    }
    const params = el("input", { id: `variant-${i}-params`, type: "text", size: "28", value: paramText(v.params),
      "aria-label": `${v.name} parameters (name=value, comma-separated)`, "data-variant-params": v.name });
    const hint = () => {
      const spec = s.policies.find((p) => p.name === pol.value);
      const ps = spec ? spec.params : [];
      params.placeholder = ps.length ? ps.map((p) => `${p.name}=${p.default}`).join(", ") : "no parameters";
      params.title = ps.map((p) => `${p.name} (default ${p.default}; ${p.valid}): ${p.doc}`).join("\n");
    };
    hint();
    // Another policy has other parameters: start from its defaults.
    pol.addEventListener("change", () => { params.value = ""; hint(); });
    const own = overrideText(v);
    vl.append(el("p", {}, el("input", { type: "checkbox", id: `variant-${i}`, checked: "", "data-variant": v.name }), " ",
      el("label", { for: `variant-${i}`, text: v.name }), " ", pol, " ", dispatch, " ", params,
      ...(own ? [el("span", { class: "overrides", id: `variant-${i}-overrides`, "data-overrides": v.name, text: "Its own: " + own })] : []),
      el("span", { class: "override-note", id: `variant-${i}-override-note`, role: "status" })),
      el("span", { class: "problem", id: `problem-variants[${i}]`, role: "alert" }));
  });
  $("per_day").value = s.per_day;
  $("deterrence").checked = s.deterrence;
  $("half_presence").value = s.half_presence;
  $("radius_m").value = s.radius_m;
  $("duration").value = s.duration;
  $("replications").value = s.replications;
  updateWork();
  updateOverrideNotes();
  updateMap();
}

// The unit fields a variant may set for itself (its units: block), as the
// form and the scenario name them.
const unitFields = [["count", "count"], ["squad", "squad"], ["shift_start", "shift start"], ["shift_hours", "shift hours"]];

// overrideText says what a variant sets for itself: its own force per
// unit type ("car count 4, squad 1"), unit types with a policy of their
// own, and its own deterrence or reporting keys; "" when nothing.
function overrideText(v) {
  const parts = [];
  for (const u of Object.keys(v.units || {}).sort()) {
    const o = v.units[u];
    const fs = unitFields.filter(([f]) => o[f] !== undefined && o[f] !== null).map(([f, label]) => `${label} ${o[f]}`);
    if (fs.length) parts.push(`${u} ${fs.join(", ")}`);
  }
  for (const u of Object.keys(v.by_unit || {}).sort()) parts.push(`${u} policy ${v.by_unit[u]}`);
  for (const b of Object.keys(v.blocks || {}).sort()) parts.push(`${b} ${v.blocks[b]}`);
  return parts.join("; ");
}

// updateOverrideNotes says, under each variant with its own force, which
// edits of the units table do not reach it: "car count edited to 5: not
// here, solo-cars keeps its own 4".
function updateOverrideNotes() {
  base.variants.forEach((v, i) => {
    const note = $(`variant-${i}-override-note`);
    if (!note) return;
    const lines = [];
    for (const u of Object.keys(v.units || {}).sort()) {
      const bu = base.units.find((x) => x.name === u);
      if (!bu) continue;
      for (const [f, label] of unitFields) {
        const own = v.units[u][f];
        if (own === undefined || own === null) continue;
        const inp = document.querySelector(`[data-unit="${CSS.escape(u)}"][data-field="${f}"]`);
        if (!inp) continue;
        const val = f === "shift_start" ? inp.value : Number(inp.value);
        if (String(val) !== String(bu[f])) lines.push(`${u} ${label} edited to ${val}: not here, ${v.name} keeps its own ${own}`);
      }
    }
    note.textContent = lines.join("; ");
  });
}

// updateMap shows the scenario's expected incidents for the incidents per
// day in the form.
// A city too big to draw here has no map; the form says why.
function updateMap() {
  $("map-problem").textContent = base.map_problem || "";
  $("map-problem").hidden = !base.map_problem;
  $("expected-map").hidden = !!base.map_problem;
  if (base.map_problem) { $("expected-map").removeAttribute("src"); return; }
  const perDay = Number($("per_day").value);
  const q = `scenario=${encodeURIComponent(base.id)}` + (perDay > 0 ? `&per_day=${perDay}` : "");
  $("expected-map").src = withToken(`api/map.svg?${q}`);
}

const paramText = (params) => Object.entries(params || {}).map(([k, x]) => `${k}=${x}`).join(", ");

// parseParams reads "dwell=30m, units_per_atom=2" into an object.
function parseParams(text, variant) {
  const out = {};
  for (const part of text.split(",").map((x) => x.trim()).filter(Boolean)) {
    const i = part.indexOf("=");
    if (i <= 0) throw new Error(`variant ${variant}: parameter "${part}" is not name=value`);
    out[part.slice(0, i).trim()] = part.slice(i + 1).trim();
  }
  return out;
}

function edits() {
  const e = { units: {} };
  if (base.id !== "start") e.scenario = base.id;
  for (const inp of document.querySelectorAll("[data-unit]")) {
    const u = (e.units[inp.dataset.unit] ||= {});
    const f = inp.dataset.field;
    u[f] = f === "shift_start" ? inp.value : Number(inp.value);
  }
  const chosen = [...document.querySelectorAll("[data-variant]")].filter((c) => c.checked).map((c) => c.dataset.variant);
  if (chosen.length === 0) throw new Error("choose at least one variant");
  if (chosen.length < base.variants.length) e.variants = chosen;
  // Dispatch modes and parameters: only what differs from the scenario.
  for (const v of base.variants) {
    const d = document.querySelector(`[data-variant-dispatch="${CSS.escape(v.name)}"]`).value;
    const p = parseParams(document.querySelector(`[data-variant-params="${CSS.escape(v.name)}"]`).value, v.name);
    const pol = document.querySelector(`[data-variant-policy="${CSS.escape(v.name)}"]`).value;
    const ve = {};
    if (pol !== v.policy) ve.policy = pol;
    if (d !== v.dispatch) ve.dispatch = d;
    for (const [k, x] of Object.entries(p)) if ((v.params || {})[k] !== x) (ve.params ||= {})[k] = x;
    for (const k of Object.keys(v.params || {})) if (!(k in p)) (ve.params ||= {})[k] = ""; // removed: back to the default
    if (Object.keys(ve).length) (e.variant ||= {})[v.name] = ve;
  }
  e.per_day = Number($("per_day").value);
  e.duration = $("duration").value.trim();
  e.replications = Number($("replications").value);
  e.deterrence = $("deterrence").checked;
  e.half_presence = Number($("half_presence").value);
  e.radius_m = Number($("radius_m").value);
  return e;
}

function updateWork() {
  let units = 0;
  for (const inp of document.querySelectorAll('[data-field="count"]')) units += Number(inp.value) || 0;
  const days = parseFloat($("duration").value) / ({ s: 86400, m: 1440, h: 24, d: 1 }[$("duration").value.trim().slice(-1)] || 1);
  const w = Math.round(Number($("replications").value) * days * units);
  $("work").textContent = `Run size: replications × days × units ≈ ${isFinite(w) ? w.toLocaleString() : "?"} (limit ${base.max_work.toLocaleString()})`;
}

function showProblems(problems) {
  for (const p of document.querySelectorAll(".problem")) p.textContent = "";
  const general = $("general-problems");
  general.replaceChildren();
  for (const p of problems || []) {
    // The nearest field on the page to the field the problem is about (the
    // edit it follows from, else its path as the form numbers it):
    // units[2].squad → units[2].
    const field = p.field || p.path || "";
    let path = field;
    let target = null;
    while (path && !(target = document.getElementById("problem-" + path))) {
      const i = Math.max(path.lastIndexOf("."), path.lastIndexOf("["));
      path = i > 0 ? path.slice(0, i) : "";
    }
    if (!target && field.startsWith("variants")) target = $("problem-variants");
    // After an edit, say which: "after your edit car: squad 2 → 1: incidents.types[0].officers: …".
    const text = (p.edit ? `after your edit ${p.edit}: ` : "") + (p.path ? `${p.path}: ${p.message}` : p.text || p.message);
    if (target) target.textContent = (target.textContent ? target.textContent + " " : "") + text;
    else general.append(el("p", { text }));
  }
}

async function check() {
  let e;
  try { e = edits(); } catch (err) { showProblems([{ message: err.message }]); return false; }
  const r = await api("POST", "api/validate", e);
  if (r.status !== 200) { showProblems([{ message: r.data?.error || `error ${r.status}` }]); return false; }
  showProblems(r.data.problems);
  $("status").textContent = r.data.ok ? "The scenario is valid." : `${r.data.problems.length} problem(s).`;
  return r.data.ok;
}

let current = null; // the run being followed
async function run(ev) {
  ev.preventDefault();
  let e;
  try { e = edits(); } catch (err) { showProblems([{ message: err.message }]); return; }
  const r = await api("POST", "api/runs", e);
  if (r.status !== 202) {
    showProblems(r.data?.problems || [{ message: r.data?.error || `error ${r.status}` }]);
    $("status").textContent = r.data?.error || `error ${r.status}`;
    return;
  }
  showProblems([]);
  follow(r.data.id);
  refreshRuns();
}

function follow(id) {
  current = id;
  $("cancel").hidden = false;
  const es = new EventSource(withToken(`api/runs/${id}/events`));
  const onState = (m) => {
    const v = JSON.parse(m.data);
    $("progress").max = Math.max(1, v.total);
    $("progress").value = v.done;
    $("status").textContent = `Run ${v.id}: ${v.status}, ${v.done} of ${v.total} runs` + (v.error ? ` — ${v.error.split("\n")[0]}` : "");
  };
  es.addEventListener("progress", onState);
  es.addEventListener("end", (m) => {
    onState(m);
    es.close();
    $("cancel").hidden = true;
    refreshRuns();
    const v = JSON.parse(m.data);
    if (v.status === "done") show(v.id);
  });
  es.onerror = () => { es.close(); $("cancel").hidden = true; };
}

function fmt(x) { return x === null || x === undefined ? "—" : Number(x).toPrecision(3); }

// The metrics as results.json describes them (its "metrics" block, from
// the registry of package results): label, kind and how to show values.
// Every value on the page is shown as the terminal table and check show it.
function metricInfo(res) { return Object.fromEntries((res.metrics || []).map((m) => [m.name, m])); }

// header is a metric's label with its shown unit: "P1 response, p90 (min)".
function header(name, m) {
  if (!m) return name;
  return m.display.unit ? `${m.label} (${m.display.unit})` : m.label;
}

// fixed writes x with d decimals as Go's strconv.FormatFloat does: exact
// decimal ties go to the even digit (toFixed rounds them up: 784.5 → 785,
// where the terminal table says 784).
function fixed(x, d) {
  const s = x.toFixed(d);
  const exact = Math.abs(x).toFixed(100); // the double's exact decimal digits, far enough to see a tie
  const [ip, fp] = exact.split(".");
  if (fp[d] !== "5" || !/^0*$/.test(fp.slice(d + 1))) return s;
  const kept = ip + fp.slice(0, d);
  if (Number(kept[kept.length - 1]) % 2 !== 0) return s; // odd: rounding up reaches the even digit
  return (x < 0 ? "-" : "") + ip + (d > 0 ? "." + fp.slice(0, d) : "");
}

// shown writes a value of metric m in its format, without unit.
function shown(x, m) {
  if (x === null || x === undefined) return "–";
  if (!m) return fmt(x);
  return fixed(x * m.display.scale, m.display.digits);
}

// cell shows an estimate as the terminal table does (results.Metric.Cell):
// the mean ± the half-width of its 95% interval, "5.46 ± 0.26".
function cell(e, m) {
  if (e.mean === null || e.mean === undefined) return "–";
  if (!m) return `${fmt(e.mean)} [${fmt(e.ci95_low)}, ${fmt(e.ci95_high)}]`;
  if (e.ci95_low === null || e.ci95_low === undefined) return shown(e.mean, m);
  return `${shown(e.mean, m)} ± ${fixed(Math.abs((e.ci95_high - e.mean) * m.display.scale), m.display.digits)}`;
}

const paretoMark = "●"; // results.ParetoMark: the same in the terminal table and the report

// fmtScore writes a score as the terminal table does (results.fmtScore):
// about four significant digits.
function fmtScore(x) {
  const a = Math.abs(x);
  return fixed(x, a >= 100 ? 0 : a >= 10 ? 1 : 2);
}

const present = (x) => x !== null && x !== undefined && Number.isFinite(x);

// scoreCell writes a score with the half-width of its interval, "-987 ±
// 47.9"; the mean alone without an interval, a dash without a score.
function scoreCell(v) {
  if (!present(v.score)) return "–";
  if (!present(v.score_ci95_low) || !present(v.score_ci95_high)) return fmtScore(v.score);
  return `${fmtScore(v.score)} ± ${fmtScore((v.score_ci95_high - v.score_ci95_low) / 2)}`;
}

// pairs writes {k: v} as "k=v, k=v" in key order.
const pairs = (m) => Object.keys(m || {}).sort().map((k) => `${k}=${m[k]}`).join(", ");

// definitionText says what a variant is (results.json's definition): its
// policy, each unit type's own policy where mixed, the dispatch mode and
// the overrides of unit types, "static-beats; patrol_car: follow-incidents
// · point-to-point · patrol_car count=4"; with params, every policy's
// parameters too. Empty for results written before definitions.
function definitionText(d, params) {
  if (!d) return "";
  const policy = (name, ps) => params && Object.keys(ps || {}).length ? `${name} (${pairs(ps)})` : name;
  let head = policy(d.policy, d.params);
  for (const u of Object.keys(d.by_unit || {}).sort()) head += `; ${u}: ${policy(d.by_unit[u].policy, d.by_unit[u].params)}`;
  const parts = [head];
  if (d.dispatch) parts.push(d.dispatch);
  for (const u of Object.keys(d.overrides || {}).sort()) parts.push(`${u} ${pairs(d.overrides[u]).replaceAll(",", "")}`);
  return parts.join(" · ");
}

// tableOrder sorts the variants as the terminal table does: by position
// (the best set, the others by score, undefined ones, benchmarks).
// Results written before positions existed are ordered by their rank.
function tableOrder(variants) {
  const key = (v) => v.position > 0 ? v.position : v.rank;
  return [...variants].sort((a, b) => key(a) - key(b));
}

// objectiveText says how a score is made, as the terminal table does: each
// metric with its weight, in its stored unit.
function objectiveText(res, info) {
  return (res.objective || []).map((g, k) => {
    const m = info[g.metric];
    const sign = g.better === "higher" ? "− " : k > 0 ? "+ " : "";
    return `${sign}${g.weight} × ${m ? m.label : g.metric}${m && m.unit ? ` (${m.unit})` : ""}`;
  }).join(" ");
}

async function show(id) {
  const r = await api("GET", `api/runs/${id}`);
  if (r.status !== 200 || !r.data.results) return;
  const res = r.data.results;
  const info = metricInfo(res);
  $("results-run").textContent = `— run ${id}`;
  const metrics = res.ranked_by.length ? res.ranked_by
    : (res.metrics || []).filter((m) => m.table).map((m) => m.name).slice(0, 3);
  // Results written before the best set have no positions: their ranks
  // are places, shown as such.
  const grouped = res.variants.some((v) => v.position > 0);
  const unit = res.score_unit || "";
  const conf = `${+(100 * (1 - (res.alpha ?? 0.05))).toFixed(2)}%`;
  const th = (text, extra = {}) => el("th", { scope: "col", text, ...extra });
  const head = el("tr", {}, th(grouped ? "Group" : "Rank"), th("Variant"),
    th(`Score (${unit ? unit + ", " : ""}lower better)`, { title: "mean cost over replications ± half-width of its 95% interval; it depends on no other variant" }),
    ...(grouped ? [th(`Behind the best${unit ? ` (${unit})` : ""}`, { title: `upper end of the ${conf} simultaneous interval of the score's distance from the best` }),
      th("Pareto front (possibly)")] : [th("Pareto front")]),
    ...metrics.map((m) => th(header(m, info[m]), { "data-metric": m, title: info[m] ? `${m}: ${info[m].description}` : m })));
  const groupText = (v) => !grouped ? String(v.rank) : v.group || "–";
  const groupTitle = { "1=": `in the best set: may be the best at ${conf} joint confidence`,
    benchmark: "a benchmark: uses knowledge no real force has; shown, never ranked, never on the front",
    undefined: "not ranked: its score is undefined in some replication" };
  const body = tableOrder(res.variants).map((v) => {
    const def = definitionText(v.definition, false);
    const name = el("th", { scope: "row", class: "variant", title: definitionText(v.definition, true) });
    // The variant's colour in every chart (report.VariantColour), so that
    // a name and its lines, markers and bars agree.
    const colour = (r.data.colours || {})[v.name];
    if (colour) {
      const sw = el("span", { class: "swatch", "data-colour": colour, "aria-hidden": "true" });
      sw.style.background = colour;
      name.append(sw);
    }
    name.append(v.name);
    if (def) name.append(el("span", { class: "definition", text: def }));
    if (v.note) name.append(el("span", { class: "note", text: v.note }));
    const behind = v.best || !present(v.behind_best_high) ? "–" : `up to ${fmtScore(v.behind_best_high)}`;
    return el("tr", { "data-variant": v.name, "data-group": v.group ?? "", ...(v.benchmark ? { class: "benchmark" } : {}) },
      el("td", { class: "group", title: groupTitle[v.group] || "", text: groupText(v) }), name,
      el("td", { class: "num", "data-score": String(v.score ?? ""), text: grouped ? scoreCell(v) : (present(v.score) ? fixed(v.score, 3) : "–") }),
      ...(grouped ? [el("td", { class: "num", text: behind })] : []),
      el("td", { class: "pareto", text: v.pareto ? paretoMark : "" }),
      ...metrics.map((m) => {
        const e = v.metrics[m] || {};
        return el("td", { class: "num", "data-variant": v.name, "data-metric": m, "data-mean": String(e.mean ?? ""), text: cell(e, info[m]) });
      }));
  });
  const caption = `${res.replications} replications: mean ± half-width of the 95% confidence interval.` + (grouped
    ? ` Group 1=: may be the best at ${conf} joint confidence (multiple comparisons with the best); behind the best: how far the score may be behind the best; ` +
      `${paretoMark} possibly on the Pareto front; benchmarks are shown, never ranked.`
    : ` ${paretoMark} on the Pareto front.`);
  const table = el("table", {}, el("caption", { text: caption }), el("thead", {}, head), el("tbody", {}, ...body));
  const above = [];
  const objective = objectiveText(res, info);
  if (objective) above.push(el("p", { class: "objective hint", text: `Score = ${objective}: lower is better, and it depends on no other variant.` }));
  for (const w of res.warnings || []) above.push(el("p", { class: "warning", role: "alert", text: `warning: ${w}` }));
  for (const line of (res.verdict || "").split("\n").filter(Boolean)) above.push(el("p", { class: "verdict", text: line }));
  $("ranking").replaceChildren(...above, el("div", { class: "wide" }, table));
  const charts = r.data.charts || [];
  const img = (name) => el("img", { src: withToken(`api/runs/${id}/charts/${encodeURIComponent(name)}`), alt: `chart ${name.replace(/\.svg$/, "")} of run ${id}` });
  const maps = charts.filter((c) => c.startsWith("map-realised"));
  $("map").replaceChildren(...maps.map(img));
  $("charts").replaceChildren(...charts.filter((c) => !c.startsWith("map-")).map(img));
  const notKept = r.data.charts_not_kept || [];
  if (notKept.length) $("charts").append(el("p", { text: `Not kept (too large to hold here; patrolsim report draws them): ${notKept.join(", ")}` }));
}

async function refreshRuns() {
  const r = await api("GET", "api/runs");
  if (r.status !== 200) return [];
  fillCompare(r.data.filter((v) => v.status === "done").map((v) => v.id));
  const tbody = $("runs").querySelector("tbody");
  tbody.replaceChildren(...r.data.map((v) => {
    // The edits in words, against the scenario edited: "car: count 8 → 5".
    const summary = v.changes ? (v.changes.map((c) => c.text + (c.note ? ` (${c.note})` : "")).join("; ") || "no edits")
      : JSON.stringify(v.edits).replace(/[{}"]/g, "").replace(/,/g, ", ").slice(0, 160);
    const showBtn = el("button", { type: "button", text: "Show" });
    showBtn.disabled = v.status !== "done";
    showBtn.addEventListener("click", () => show(v.id));
    const links = el("td", {}, el("a", { href: withToken(`api/runs/${v.id}/scenario.yaml`), download: `scenario-${v.id}.yaml`, text: "scenario.yaml" }));
    if (v.status === "done") links.append(" ", el("a", { href: withToken(`api/runs/${v.id}/results.json`), download: `results-${v.id}.json`, text: "results.json" }),
      " ", el("a", { href: withToken(`api/runs/${v.id}/replications.csv`), download: `replications-${v.id}.csv`, text: "replications.csv" }),
      " ", el("a", { href: withToken(`api/runs/${v.id}/areas.geojson`), download: `areas-${v.id}.geojson`, text: "areas.geojson" }));
    return el("tr", {}, el("th", { scope: "row", text: v.id }), el("td", { text: v.status + (v.status === "running" ? ` ${v.done}/${v.total}` : "") }),
      el("td", { class: "edits", text: summary }), el("td", {}, showBtn), links);
  }));
  return r.data;
}

// fillCompare offers the finished runs (newest first) as A and B, keeping
// the choices; by default B is the newest and A the one before.
function fillCompare(ids) {
  ["compare-a", "compare-b"].forEach((sel, k) => {
    const old = $(sel).value;
    $(sel).replaceChildren(...ids.map((id) => el("option", { value: id, text: id })));
    if (ids.includes(old)) $(sel).value = old;
    else if (ids.length) $(sel).value = ids[Math.min(k === 0 ? 1 : 0, ids.length - 1)];
  });
  $("compare").disabled = ids.length < 2;
}

const signed = (x, m) => x === null || x === undefined ? "—" : (x > 0 ? "+" : "") + shown(x, m);
const ci = (e, m) => e.infinite ? `∞ in ${e.infinite} of ${e.n}` : `${shown(e.mean, m)} [${shown(e.ci95_low, m)}, ${shown(e.ci95_high, m)}]`;

// verdictWords says what a comparison row shows, in words and a symbol:
// significant (▲/▼, better or worse by the metric's direction; "the same
// in practice" when the two one-sided tests also put it within the
// tolerance), the same (≈: shown within the tolerance), inconclusive (?:
// neither, with the smallest change these replications could detect), or
// no verdict (–); a note says what was tested instead, or why not.
function verdictWords(x, m) {
  const d = x.difference, e = x.equivalence || {};
  const pm = (v) => v === null || v === undefined ? "–" : "±" + shown(v, m);
  const arrow = d.mean > 0 ? "▲" : d.mean < 0 ? "▼" : "";
  const note = x.note ? `: ${x.note}` : "";
  switch (x.verdict) {
    case "better": case "worse": case "changed":
      return (arrow ? arrow + " " : "") + "significant" + (x.verdict !== "changed" ? ` (${x.verdict})` : "") +
        (e.equivalent ? `, within ${pm(e.margin)}: the same in practice` : "") + note;
    case "same":
      return `≈ same: within ${pm(e.margin)}` + note;
    case "inconclusive":
      // Without a detectable difference the means were not tested (the
      // numbers of infinite values were: the note says so).
      return e.detectable === null || e.detectable === undefined
        ? "? inconclusive" + (note || ": not significant")
        : `? inconclusive: could detect ${pm(e.detectable)}, tolerance ${pm(e.margin)}` + note;
  }
  return `– ${x.note || "no verdict"}`;
}

// compare shows run B against run A: each mean with its 95% interval, the
// difference B − A and the verdict, in words and a symbol (verdictWords).
async function compare() {
  const a = $("compare-a").value, b = $("compare-b").value;
  const r = await api("GET", `api/compare?a=${encodeURIComponent(a)}&b=${encodeURIComponent(b)}`);
  if (r.status !== 200) { $("comparison").replaceChildren(el("p", { class: "problem", text: r.data?.error || `error ${r.status}` })); return; }
  const c = r.data;
  // Labels and formats from the two runs' results.json.
  const runs = await Promise.all([c.a, c.b].map((id) => api("GET", `api/runs/${encodeURIComponent(id)}`)));
  const info = Object.assign({}, ...runs.map((x) => x.status === 200 && x.data.results ? metricInfo(x.data.results) : {}));
  const head = el("tr", {}, ...["Variant", "Metric", `A: ${c.a} (mean [95% CI])`, `B: ${c.b}`, "B − A [95% CI]", "Difference"].map((h) => el("th", { scope: "col", text: h })));
  const rows = c.rows.map((x) => {
    const d = x.difference;
    const where = { "data-variant": x.variant, "data-metric": x.metric };
    const m = info[x.metric];
    const verdict = verdictWords(x, m);
    return el("tr", {}, el("th", { scope: "row", text: x.variant }), el("td", { title: x.metric, text: header(x.metric, m) + (x.better ? ` (${x.better} is better)` : "") }),
      el("td", { class: "num", text: ci(x.a, m) }), el("td", { class: "num", text: ci(x.b, m) }),
      el("td", { class: "num", ...where, "data-diff": String(d.mean ?? ""), text: `${signed(d.mean, m)} [${signed(d.ci95_low, m)}, ${signed(d.ci95_high, m)}]` }),
      el("td", { class: "sig " + (x.verdict || "undefined"), ...where, "data-significant": String(x.significant), "data-verdict": x.verdict, text: verdict }));
  });
  const note = [c.only_a.length ? `only in ${c.a}: ${c.only_a.join(", ")}` : "", c.only_b.length ? `only in ${c.b}: ${c.only_b.join(", ")}` : ""].filter(Boolean).join("; ");
  const caption = `Run ${c.b} against run ${c.a}, ${c.method === "paired" ? "paired differences" : "Welch's t"}: ${c.why}. ` +
    "Significant: the 95% interval of B − A excludes 0. Same: two one-sided tests at 0.05 put B − A within the metric's tolerance " +
    "(5% of A's mean, and at least 5 s for a time, 1 percentage point for a share, 2 for a count). Inconclusive: neither; more replications would decide, " +
    "and \"could detect\" is the smallest change found with 80% power at these replications." + (note ? ` (${note})` : "");
  $("comparison").replaceChildren(el("table", {}, el("caption", { text: caption }), el("thead", {}, head), el("tbody", {}, ...rows)));
}

// loadScenario makes the scenario id the one being edited.
async function loadScenario(id) {
  const r = await api("GET", `api/scenario?id=${encodeURIComponent(id)}`);
  if (r.status !== 200) { $("general-problems").textContent = r.data?.error || `error ${r.status}`; return false; }
  base = r.data;
  fillForm(base);
  showProblems([]);
  return true;
}

async function refreshScenarios(select) {
  const r = await api("GET", "api/scenarios");
  if (r.status !== 200) return;
  $("scenario-choice").replaceChildren(...r.data.map((x) => el("option", { value: x.id,
    text: x.id === "start" ? `start scenario: ${x.name} (${x.source})` : `uploaded ${x.id}: ${x.name} (${[x.source, ...x.files].join(", ")})` })));
  $("scenario-choice").value = select;
}

// upload sends the chosen files: the one YAML file as the scenario, the
// others as its data files.
async function upload() {
  const files = [...$("upload-files").files];
  const yaml = files.filter((f) => /\.ya?ml$/i.test(f.name));
  const box = $("upload-problems");
  if (yaml.length !== 1) { box.replaceChildren(el("p", { text: "Choose one scenario file (.yaml) and the GeoJSON files it names." })); return; }
  const fd = new FormData();
  fd.append("scenario", yaml[0], yaml[0].name);
  for (const f of files) if (f !== yaml[0]) fd.append("data", f, f.name);
  const r = await api("POST", "api/scenarios", fd);
  if (r.status !== 201) {
    box.replaceChildren(...(r.data?.problems || [{ text: r.data?.error || `error ${r.status}` }]).map((p) => el("p", { text: p.text || p.message })));
    return;
  }
  box.replaceChildren();
  await refreshScenarios(r.data.id);
  base = r.data;
  fillForm(base);
  showProblems([]);
  $("status").textContent = `Uploaded ${r.data.source}: now editing ${r.data.name}.`;
}

async function main() {
  // The form's submit is taken at once, before anything is awaited: a
  // click on Run before the scenario is in the form (or before the other
  // handlers are set) would otherwise submit the form as a browser does,
  // reloading the page.
  $("knobs").addEventListener("submit", (ev) => { ev.preventDefault(); if (base) run(ev); });
  const r = await api("GET", "api/scenario");
  if (r.status !== 200) { $("general-problems").textContent = r.data?.error || `error ${r.status}`; return; }
  base = r.data;
  fillForm(base);
  // The handlers are set as soon as the form shows a scenario, before
  // the list of scenarios is fetched: a click does what it says at once.
  $("scenario-choice").addEventListener("change", (ev) => loadScenario(ev.target.value));
  $("upload").addEventListener("click", upload);
  $("compare").addEventListener("click", compare);
  $("per_day").addEventListener("change", updateMap);
  $("knobs").addEventListener("input", () => { updateWork(); updateOverrideNotes(); });
  $("check").addEventListener("click", check);
  $("reset").addEventListener("click", () => { fillForm(base); showProblems([]); });
  $("cancel").addEventListener("click", async () => { if (current) { await api("DELETE", `api/runs/${current}`); refreshRuns(); } });
  await refreshScenarios(base.id);
  // Coming back to the page shows the newest finished run and follows a
  // running one.
  const runs = await refreshRuns();
  const running = runs.find((v) => v.status === "running");
  const finished = runs.find((v) => v.status === "done");
  if (finished) await show(finished.id);
  if (running) follow(running.id);
}

main();
