/* Gait analyser dashboard: a small hash-routed page over the local API. No framework, no outside requests. */
"use strict";

const $main = document.getElementById("main");
const state = { charts: [], feed: null, audio: null, live: null, shownPath: null, routeSeq: 0 };

// Token mode: the response to this page set the token's cookie, so the token leaves the address bar and history.
if (new URLSearchParams(location.search).has("token")) {
  const url = new URL(location.href);
  url.searchParams.delete("token");
  history.replaceState(history.state, "", url.pathname + url.search + url.hash);
}

// ---------------------------------------------------------------------------------------------------------------
// helpers

function esc(value) {
  return String(value ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

/** A message as HTML, escaped, with the commands it marks between backticks (`gait convert …`) shown as commands to
 * copy (a click selects the whole command); a message with unpaired backticks is shown as it is. */
function withCommands(text) {
  const parts = String(text ?? "").split("`");
  if (parts.length % 2 === 0) return esc(text);
  return parts.map((p, i) => (i % 2 ? `<code class="command">${esc(p)}</code>` : esc(p))).join("");
}

/** An API request that failed: ``status`` is the HTTP status (0 when the service could not be reached). */
class ApiError extends Error {
  constructor(message, status) { super(message); this.status = status; }
}

// An upload whose connection broke: the service stopped (Ctrl-C, a crash) or was never reached. Its upload is one
// transaction and its spool is emptied at the next start, so nothing of the file is kept; stored just before the cut,
// the same file uploaded again is refused naming its walk.
const UPLOAD_CUT = "the gait service stopped answering during the upload (it was stopped, or it crashed), so nothing of this file was stored. Start it again (`./run demo` or `gait serve`), reload this page and upload the file again (had it been stored just before, the upload says so and names its walk).";
const NO_SERVICE = "The dashboard cannot reach the gait service on this computer: check that it is still running (gait serve), then reload this page.";

async function api(path, options = {}) {
  const init = { ...options, headers: { ...(options.headers || {}) } };
  delete init.total;
  if (init.json !== undefined) {
    init.body = JSON.stringify(init.json);
    init.headers["content-type"] = "application/json";
    delete init.json;
  }
  let r;
  try { r = await fetch(path, init); } catch (_) { throw new ApiError(NO_SERVICE, 0); }
  if (r.status === 204) return null;
  const body = r.headers.get("content-type")?.includes("json") ? await r.json() : await r.text();
  if (!r.ok) {
    const detail = body && body.detail;
    // a refusal's own words (a form's invalid field, a full disk, a recording that cannot be read) are the user's
    // to read; a failure without any is said as one
    const message = Array.isArray(detail)
      ? detail.map(invalidFieldWords).join(" ")
      : typeof detail === "string" ? detail
      : `The service could not do this (error ${r.status}). Reload the page to try again; if it happens again, the service's log says why.`;
    throw new ApiError(message, r.status);
  }
  // ``total``: a page of a list, with how many there are in all (its X-Total-Count header)
  return options.total ? { items: body, total: Number(r.headers.get("x-total-count")) } : body;
}

// The fields a form sends, as a walker knows them, with the unit the form asks in and its factor from the API's unit:
// a refused field is said in these words, never by its API name ("onset_distance_m") nor in the API's unit.
const FIELD_WORDS = {
  onset_distance_m: { words: "The distance into the walk at which the pain started", unit: "km", per: 1000 },
  onset_time_s: { words: "The time into the walk at which the pain started", unit: "minutes", per: 60 },
  body_height_m: { words: "Your body height", unit: "m", per: 1 },
  tolerance_m: { words: "The tolerance before a stride is flagged", unit: "m", per: 1 },
  reduction: { words: "How much shorter the target is", unit: "%", per: 0.01 },
  stride_scales: { words: "A calibration factor", unit: "", per: 1 },
  distance_m: { words: "The distance walked", unit: "m", per: 1 },
  score: { words: "The pain score", unit: "out of 10", per: 1 },
  note: { words: "The note", unit: "", per: 1 },
  reported_at: { words: "The date and time", unit: "", per: 1 },
};

/** One entry of FastAPI's list of refused fields in a walker's words: the field's name from FIELD_WORDS and its
 * limit in the form's unit ("... must be at most 100 km."), else the validator's own message. */
function invalidFieldWords(d) {
  const key = [...(d.loc || [])].reverse().find((k) => FIELD_WORDS[k] || FIELD_WORDS[String(k).split(".")[0]]);
  const field = FIELD_WORDS[key] || { words: "A value the page sent", unit: "", per: 1 };
  const limit = (v) => `${+(v / field.per).toFixed(3)}${field.unit ? ` ${field.unit}` : ""}`;
  const ctx = d.ctx || {};
  if (ctx.le != null) return `${field.words} must be at most ${limit(ctx.le)}.`;
  if (ctx.lt != null) return `${field.words} must be less than ${limit(ctx.lt)}.`;
  if (ctx.ge != null) return `${field.words} must be at least ${limit(ctx.ge)}.`;
  if (ctx.gt != null) return `${field.words} must be more than ${limit(ctx.gt)}.`;
  return `${field.words} was refused: ${String(d.msg || "not valid").replace(/^Value error, /, "")}.`;
}

/** The decimal separator of the browser's language ("." in en, "," in de and fr). */
const LOCALE_DECIMAL = new Intl.NumberFormat().formatToParts(1.5).find((p) => p.type === "decimal")?.value ?? ".";

/** A number as a walker types it into a box: with a decimal point or a decimal comma ("0.8", "0,8"; many keyboards and
 * phone keypads have only the comma), a sign allowed. The number, null for an empty box, or NaN for anything else
 * ("1,2,3", "1.000,5", "abc"): never read as another number (a type=number box dropped the comma, "0,8" became 8).
 * A comma before three digits ("1,500") is read as the browser's language writes numbers: 1500 in en, 1.5 in de.
 * Every box of a number on the dashboard reads through this (its range is the box's own check). */
function readDecimal(raw) {
  const typed = String(raw ?? "").trim();
  if (!typed) return null;
  // "1,500" is 1500 where the browser's language writes 1.5 with a point (en: the comma groups thousands) and 1.5
  // where it writes 1,5 (de, fr): read as the walker's own locale writes numbers, never a thousand-fold off.
  if (LOCALE_DECIMAL === "." && /^[-+]?\d{1,3}(?:,\d{3})+(?:\.\d*)?$/.test(typed)) return Number(typed.replaceAll(",", ""));
  return /^[-+]?(?:\d+(?:[.,]\d*)?|[.,]\d+)$/.test(typed) ? Number(typed.replace(",", ".")) : NaN;
}

const WALK_GONE = "This walk is not stored (it may have been deleted).";

/** What a page says of a failed request: the walk-not-found wording for a missing walk (the API's own names its
 * URL, for API clients), else the error's message. */
function userMessage(err) {
  return err instanceof ApiError && err.status === 404 ? WALK_GONE : err.message;
}

const fmt = {
  num(v, digits = 0) { return v === null || v === undefined || Number.isNaN(v) ? "–" : Number(v).toFixed(digits); },
  m(v) { return v == null ? "–" : `${Number(v).toFixed(2)}`; },
  dist(v) {
    if (v == null) return "–";
    // 999.6 m is "1.00 km", as 1000 m is, not "1000 m"
    return Math.round(v) >= 1000 ? `${(v / 1000).toFixed(2)} km` : `${Math.round(v)} m`;
  },
  // A distance in both units, as the coach's texts word it (gait/coach/text.py format_distance), so that a figure
  // and the sentence under it agree: "333 m (0.21 mi)", "4.8 km (3.0 mi)".
  distBoth(v) {
    if (v == null) return "–";
    const mi = v / 1609.344;
    return Math.round(v) < 1000 ? `${v.toFixed(0)} m (${mi.toFixed(2)} mi)` : `${(v / 1000).toFixed(1)} km (${mi.toFixed(1)} mi)`;
  },
  // A duration as the coach's texts word it (gait/coach/text.py format_duration): "1 min 15 s", "2 min", "25 min".
  durWords(s) {
    if (s == null) return "–";
    if (s >= 600) {
      const min = Math.round(s / 60);
      return min < 60 ? `${min} min` : `${Math.floor(min / 60)} h ${String(min % 60).padStart(2, "0")} min`;
    }
    const r = Math.round(s), min = Math.floor(r / 60), sec = r % 60;
    return sec === 0 ? `${min} min` : min ? `${min} min ${sec} s` : `${sec} s`;
  },
  dur(s) {
    if (s == null) return "–";
    s = Math.round(s);
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
    return h ? `${h} h ${m} min` : m ? `${m} min ${sec} s` : `${sec} s`;
  },
  // A share as the coach's texts word it (gait/coach/text.py format_percent): "10 %", "8.3 %", "12.5 %"; rounded to a
  // whole percent, a target relaxed to 9.5 % read "10 %" beside the plan's "9.5 %" on the same page.
  percent(share) {
    const pct = 100 * share;
    return Math.abs(pct - Math.round(pct)) < 0.05 ? `${pct.toFixed(0)} %` : `${pct.toFixed(1)} %`;
  },
  // In the hour that comes twice when the clocks go back, with its zone ("01:30 AM PDT", then "01:30 AM PST"): two
  // walks an hour apart would read as the same time, the later listed first.
  date(iso) {
    if (!iso) return "–";
    const d = new Date(iso);
    const twice = localMoments(localInputValue(d.getTime())).length > 1;
    return d.toLocaleString(undefined, { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit",
      ...(twice ? { timeZoneName: "short" } : {}) });
  },
};

const LIVE_CADENCE_STRIDES = 10;  // the live cadence card: median of this many latest strides
const LIVE_CADENCE_UNIT = `steps/min, last ${LIVE_CADENCE_STRIDES} strides`;

function median(values) {
  if (!values.length) return null;
  const v = [...values].sort((a, b) => a - b), k = Math.floor(v.length / 2);
  return v.length % 2 ? v[k] : (v[k - 1] + v[k]) / 2;
}

function stat(label, value, unit = "", extra = "", id = "") {
  const ids = id ? [` id="${id}-box"`, ` id="${id}"`, ` id="${id}-label"`, ` id="${id}-unit"`] : ["", "", "", ""];
  return `<div class="stat ${extra}"${ids[0]}><div class="label"${ids[2]}>${esc(label)}</div><div class="value"><span${ids[1]}>${esc(value)}</span><span class="unit"${ids[3]}>${esc(unit)}</span></div></div>`;
}

function cssVar(name) { return getComputedStyle(document.documentElement).getPropertyValue(name).trim(); }

function destroyCharts() {
  for (const c of state.charts) c.destroy();
  state.charts = [];
}

const AXIS_FONT = '12px system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif';
/** Width in CSS pixels of the widest of ``labels`` in the charts' axis font (uPlot's default). */
function widestLabelPx(labels) {
  const ctx = document.createElement("canvas").getContext("2d");
  ctx.font = AXIS_FONT;
  return Math.max(0, ...labels.map((t) => ctx.measureText(String(t)).width));
}

function chartWidth(el) { return Math.max(260, el.clientWidth || $main.clientWidth - 32); }

/** A uPlot chart in ``el``, which is given ``words`` as its text alternative (see ``describeChart``). */
function makeChart(el, opts, data, words) {
  const height = window.innerWidth < 600 ? 200 : 260;
  // Our own legends sit above each chart; uPlot's legend table would repeat them.
  const u = new uPlot({ width: chartWidth(el), height, legend: { show: false }, ...opts }, data, el);
  state.charts.push(u);
  describeChart(el, words);
  return u;
}

/** A chart's text alternative: the container is one image to a screen reader, named by what it shows in figures
 * ("Stride length over 2 min 50 s: median 1.31 m ..."); a canvas alone says nothing. */
function describeChart(el, words) {
  el.setAttribute("role", "img");
  el.setAttribute("aria-label", words);
}

/** "3 strides" / "1 stride". */
const countOf = (n, what) => `${n} ${what}${n === 1 ? "" : "s"}`;

window.addEventListener("resize", () => {
  for (const u of state.charts) {
    const el = u.root.parentElement;
    if (el) u.setSize({ width: chartWidth(el), height: u.height });
  }
});

const PAUSE_S = 5;
/** Strides as chart rows (``x_s``: seconds into the walk, from ``origin_s``, its first sample on the file's own
 * time axis), with a ``{pause: true}`` row wherever no stride runs for more than PAUSE_S seconds: a null there
 * breaks every line and band of the chart. */
function withPauses(strides, origin_s) {
  const rows = [];
  let lastEnd = null;
  for (const r of strides) {
    if (lastEnd != null && r.start_s - lastEnd > PAUSE_S) rows.push({ pause: true, x_s: (lastEnd + r.start_s) / 2 - origin_s });
    rows.push({ ...r, x_s: r.start_s - origin_s });
    lastEnd = lastEnd == null ? r.end_s : Math.max(lastEnd, r.end_s);
  }
  return rows;
}

/** ``rows`` with a row of nulls at the start and the end of each span GPS showed in a vehicle (``walk.riding``, on
 * the strides' time axis), so the charts' time axis reaches a ride at either end of the walk and its band is drawn
 * whole; its steps were left out, so no stride runs there. */
function withRides(rows, riding, origin_s) {
  const edges = riding.flatMap((r) => [r.start_s, r.end_s]).map((t) => ({ pause: true, x_s: t - origin_s }));
  return [...rows, ...edges].sort((a, b) => a.x_s - b.x_s);
}

const RIDE_WORDS = "in a vehicle (GPS)";
/** A chart's draw hook shading each span of ``riding`` and labelling it RIDE_WORDS (inside the band when it is
 * wide enough, else just above the plot): the gap there is a ride, not a pause. */
function ridingHook(riding, origin_s) {
  return (u) => {
    const ctx = u.ctx, pr = devicePixelRatio || 1, top = u.bbox.top;
    ctx.save();
    ctx.font = `${12 * pr}px system-ui, sans-serif`;
    ctx.textAlign = "left";  // uPlot leaves its axes' alignment set
    ctx.textBaseline = "top";
    for (const r of riding) {
      const a = u.valToPos(r.start_s - origin_s, "x", true), b = u.valToPos(r.end_s - origin_s, "x", true);
      ctx.fillStyle = cssVar("--ride");
      ctx.fillRect(a, top, b - a, u.bbox.height);
      ctx.fillStyle = cssVar("--muted");
      const width = ctx.measureText(RIDE_WORDS).width, inside = width + 8 * pr <= b - a;
      const right = u.bbox.left + u.bbox.width;  // a narrow ride at the end: its label still on the canvas
      ctx.fillText(RIDE_WORDS, inside ? a + 4 * pr : Math.min(a, right - width), inside ? top + 4 * pr : Math.max(0, top - 14 * pr));
    }
    ctx.restore();
  };
}

/** The line near a walk's figures when GPS showed a ride: how long, left out of them. */
function ridingLine(walk) {
  if (!walk.riding || !walk.riding.length) return "";
  const total_s = walk.riding.reduce((sum, r) => sum + r.end_s - r.start_s, 0);
  const spans = walk.riding.length === 1 ? "" : ` (${walk.riding.length} stretches)`;
  return `<p class="notice" id="riding-line">${esc(fmt.durWords(total_s))} in a vehicle left out (GPS)${spans}: the
    walking time, distance and strides are without it.</p>`;
}

const SHORT_WALK_S = 180;
/** The x axis of a walk's charts, whose x is seconds into the walk: a walk shorter than SHORT_WALK_S reads in
 * seconds (0.25 min is 15 s), a longer one in whole minutes; ticks at round steps either way. */
function walkTimeAxis(span_s) {
  const short = span_s < SHORT_WALK_S;
  return {
    label: short ? "seconds into the walk" : "minutes into the walk",
    incrs: short ? [1, 2, 5, 10, 15, 20, 30, 60] : [60, 120, 300, 600, 900, 1200, 1800, 3600, 7200, 10800, 21600],
    values: (u, splits) => splits.map((v) => (short ? `${Math.round(v)} s` : `${Math.round(v / 60)} min`)),
  };
}

/** The target drawn at each chart row: a trusted stride's own target, held over the untrusted strides after it
 * until a pause (null rows) or the next trusted one. An untrusted stride is never judged, and its cadence is often an
 * artefact (a bout's last stride at 160 steps/min): the target at that cadence lifted the band where nothing was
 * judged against it. */
function heldTargets(rows, trusted) {
  let held = null;
  return rows.map((r) => {
    if (r.pause) { held = null; return null; }
    if (trusted(r) && r.target_m != null) held = r.target_m;
    return held;
  });
}

const pointsOnly = (color, size = 5) => ({
  stroke: color, fill: color, width: 0, paths: () => null, points: { show: true, size, fill: color, stroke: color },
});
// strides whose length is not trusted for coaching: hollow rings, told apart from the trusted dots by shape, not by
// their grey alone (the legend's .dot-unsure is the same ring)
const ringsOnly = (color, size = 6) => ({
  stroke: color, fill: color, width: 0, paths: () => null,
  points: { show: true, size, width: 1.5, fill: "rgba(0, 0, 0, 0)", stroke: color },
});

// ---------------------------------------------------------------------------------------------------------------
// pages

const routes = [
  [/^#\/?$/, pageHome],
  [/^#\/walks$/, pageWalks],
  [/^#\/walk\/(\d+)$/, pageWalk],
  [/^#\/trends$/, pageTrends],
  [/^#\/upload$/, pageUpload],
  [/^#\/profile$/, pageProfile],
  [/^#\/pain$/, pagePain],
  [/^#\/live$/, pageLive],
];

/** Thrown by ``pageData`` when the walker went to another page while this one's data was on its way. */
class Superseded extends Error {}

/** A page's data, awaited: a page whose data comes back after the walker opened another page is not drawn over it
 * (a slow walk page answering after the Upload page was opened replaced the Upload form). ``seq``: the route the
 * page was drawn for, when it was asked for before this request. */
async function pageData(promise, seq = state.routeSeq) {
  const value = await promise;
  if (!onPage(seq)) throw new Superseded();
  return value;
}

/** Whether the page drawn for route ``seq`` is still the one shown: a button's request answering after the walker
 * went on to another page neither draws over that page nor looks up the elements of one that is gone. */
function onPage(seq) { return seq === state.routeSeq; }

// a redraw a handler started (after a save) whose walker has gone on to another page: nothing to report
window.addEventListener("unhandledrejection", (e) => { if (e.reason instanceof Superseded) e.preventDefault(); });

/** Say what an action did in the status element ``id`` (role=status: read out by a screen reader) and move focus
 * there: the action's button was redrawn or left with its page, and focus would fall to the page's body. The page
 * stays where the walker has it (no scrolling to the element). */
function sayDone(id, words) {
  const el = document.getElementById(id);
  if (!el) return;
  el.setAttribute("role", "status");
  el.tabIndex = -1;
  el.textContent = words;
  el.focus({ preventScroll: true });
}

/** A button disabled while its action ran, enabled again: focus goes back to it when it fell to the page meanwhile
 * (a focused button that is disabled loses focus, and a keyboard walker would go on from the page's top). */
function enableAgain(btn) {
  btn.disabled = false;
  if (btn.isConnected && (!document.activeElement || document.activeElement === document.body)) btn.focus({ preventScroll: true });
}

/** Focus on ``el``, a result just drawn in place of the button that asked for it (tabindex -1: no control). */
function focusResult(el) {
  if (!el) return;
  el.tabIndex = -1;
  el.focus({ preventScroll: true });
}

/** Open ``hash`` with ``words`` for its page to say once (``takeSaid``): "Walk … deleted." on the walks list. */
function openSaying(hash, words) {
  state.said = { hash, words };
  location.hash = hash;
}

/** The words an action left for the page now opening (``openSaying``), once; null when none were left for it. */
function takeSaid() {
  const said = state.said;
  state.said = null;
  return said && said.hash === location.hash ? said.words : null;
}

async function route() {
  const seq = ++state.routeSeq;
  const hash = location.hash || "#/";
  const path = hash.split("?")[0];  // "#/trends?period=week" is the trends page with a parameter
  destroyCharts();
  if (state.feed && !hash.startsWith("#/live")) { state.feed.close(); state.feed = null; }
  for (const a of document.querySelectorAll("nav a")) {
    const target = a.getAttribute("href");
    const current = target === path || (target !== "#/" && path.startsWith(target));
    a.classList.toggle("active", current);
    // the current page said to a screen reader, not by the pill's colour alone
    if (current) a.setAttribute("aria-current", "page"); else a.removeAttribute("aria-current");
  }
  const firstPage = state.shownPath === null;
  for (const [re, page] of routes) {
    const m = path.match(re);
    if (m) {
      // another page opens at its top (not at the scroll position of the page it was opened from); the same page
      // with other parameters (Trends by week) keeps its place
      const newPage = path !== state.shownPath;
      if (newPage) { window.scrollTo(0, 0); state.shownPath = path; }
      try {
        await page(...m.slice(1));
      } catch (err) {
        if (err instanceof Superseded || !onPage(seq)) return;
        $main.innerHTML = errorPage(err);
      }
      if (onPage(seq)) {
        document.body.dataset.page = page.name;
        pageShown(page, newPage && !firstPage);
      }
      return;
    }
  }
  $main.innerHTML = `<h1>No such page</h1><p id="page-error">The dashboard has no page at this address.</p>
    <p><a href="#/">Home</a> · <a href="#/walks">Your walks</a></p>`;
  state.shownPath = path;
  pageShown(null, !firstPage);
}

// The browser tab's title per page ("Walks – Gait analyser"); a walk's page is titled by the walk's name (its h1).
// The readers' format ids (`gait formats`; a live walk's journal; an Apple Health summary) as the walk page names
// them: the app or file a walker knows (tests/browser/test_format_names.py keeps it complete).
const FORMAT_NAMES = {
  sensor_logger: "Sensor Logger", phyphox: "phyphox", androsensor: "AndroSensor", metawear: "MetaWear",
  geneactiv: "GENEActiv", oxford: "Oxford step-counter file", physics_toolbox: "Physics Toolbox",
  sensorlog: "SensorLog", gait_csv: "gait CSV", generic_csv: "CSV file", apple_health: "Apple Health",
  gait_journal: "live walk's journal",
};

const PAGE_TITLES = {
  pageHome: "Home", pageWalks: "Walks", pageTrends: "Trends", pageUpload: "Upload", pageProfile: "Profile",
  pagePain: "Pain", pageLive: "Live walk",
};

/** A page drawn: its title in the tab, and after a move from another page (a link, the navigation, Back), focus on
 * its heading, so that a screen reader says where the walker is and Tab goes on from the page's top, not from the
 * navigation link left behind. Not when the page itself put focus in it (a box to type in, a status it said). */
function pageShown(page, moved) {
  const h1 = $main.querySelector("h1");
  const heading = h1 ? (h1.firstChild?.nodeType === Node.TEXT_NODE ? h1.firstChild.textContent : h1.textContent).trim() : "";
  const name = page && PAGE_TITLES[page.name] && page !== pageWalk ? PAGE_TITLES[page.name] : heading;
  document.title = name ? `${name} – Gait analyser` : "Gait analyser";
  if (!moved || !h1 || $main.contains(document.activeElement)) return;
  h1.tabIndex = -1;
  h1.focus({ preventScroll: true });
}

// The sticky header covers the page's top (two rows of links on a phone): a control Tab or Shift+Tab reaches, or a
// part scrolled to, stops below it, not under it (focus hidden behind the navigation)
new ResizeObserver(() => {
  document.documentElement.style.scrollPaddingTop = `${document.querySelector(".top").offsetHeight + 8}px`;
}).observe(document.querySelector(".top"));

// "Skip to content": past the navigation to the page's heading (the address after # is the page's, not an anchor)
document.addEventListener("click", (e) => {
  if (!e.target.closest || !e.target.closest("#skip-link")) return;
  e.preventDefault();
  const target = $main.querySelector("h1") || $main;
  target.tabIndex = -1;
  target.focus();
});

/** A page that could not be drawn: what happened in a walker's words, and where to go from here. */
function errorPage(err) {
  if (err instanceof ApiError && err.status === 404) {
    return `<h1>Walk not found</h1><p id="page-error">${esc(WALK_GONE)}</p><p><a href="#/walks">Back to the walk list</a></p>`;
  }
  return `<h1>This page could not be shown</h1><p class="error" id="page-error">${esc(err.message)}</p>
    <p><a href="#/">Home</a></p>`;
}

window.addEventListener("hashchange", route);
window.addEventListener("DOMContentLoaded", route);

// -- home -------------------------------------------------------------------------------------------------------

async function pageHome() {
  // Your own walks are the latest ones listed; sample and demo walks (somebody else's walking) get their own short
  // list below, so that demo replays never crowd your walks out.
  const [coaching, walks, others, live] = await pageData(Promise.all([
    api("/api/coaching"), api("/api/walks?limit=5&demo=false"), api("/api/walks?limit=3&demo=true"), api("/api/live"),
  ]));
  const plan = coaching.plan;
  const rec = plan.recommendation;
  let recHtml;
  if (rec) {
    // one walk to plan: the figure it ends by (from a distance and a time, the one reached first at the walker's usual
    // pace, with the other at that pace), or both "whichever comes first" when the pace is unknown
    const distance = rec.walk_length_m != null ? `<span id="rec-distance">${fmt.distBoth(rec.walk_length_m)}</span>` : "";
    const time = rec.walk_time_s != null ? `<span id="rec-time">${fmt.durWords(rec.walk_time_s)}</span>` : "";
    const both = distance && time;
    let value = distance || time;
    if (both && rec.ends_by === "time") value = `${time} <span class="hint" id="rec-at-pace">about ${fmt.distBoth(rec.planned_length_m)} at your usual pace</span>`;
    else if (both && rec.ends_by === "distance") value = `${distance} <span class="hint" id="rec-at-pace">about ${fmt.durWords(rec.planned_time_s)} at your usual pace</span>`;
    else if (both) value = `${distance} or ${time}, <span class="hint">whichever comes first</span>`;
    // switched off, pain-free walks count for nothing and no prompt comes during a walk: the length is a suggestion
    const off = plan.enabled ? "" : `<div class="hint" id="rec-coaching-off">Stride coaching is switched off, so this is a suggestion only:
      no prompt tells you during a walk when you get close. Switch coaching on in <a href="#/profile">your settings</a> for that.</div>`;
    recHtml = `<div class="card recommend" id="recommendation"><h2>Recommended walk length</h2>
      <div class="value">${value}</div><p>${esc(rec.reason)}</p>${off}</div>`;
  } else if (coaching.old_onsets) {
    // reports of where the pain started, all too old to plan from: said so, not asked for as if there were none
    recHtml = `<div class="card recommend" id="recommendation"><h2>Recommended walk length</h2>
      <p class="muted" id="old-onsets">No recommendation yet. ${esc(coaching.old_onsets)} When back pain starts during a walk
      again, <a href="#/pain">report it</a> with the distance or time into the walk.</p></div>`;
  } else {
    recHtml = `<div class="card recommend" id="recommendation"><h2>Recommended walk length</h2>
      <p class="muted">No recommendation yet: when back pain starts during a walk, <a href="#/pain">report it</a> with the distance or time
      into the walk, and the dashboard suggests walks that end before that point.</p></div>`;
  }
  const reasons = plan.reasons.filter((r) => !rec || r !== rec.reason);
  const calibrateHow = reasons.some((r) => CLI_CALIBRATE.test(r))
    ? await pageData(calibrateHowTo(plan, coaching.calibration_walk_good_m)) : "";
  $main.innerHTML = `
    <h1>Your walking</h1>
    ${live.running ? `<div class="notice">A walk is live now. <a href="#/live">Watch it</a>.</div>` : ""}
    ${recHtml}
    <div class="card"><h2 id="coaching-state">Stride coaching: ${!plan.enabled ? "switched off" : plan.active ? "active" : "switched on, inactive"}</h2>
      ${planReasons(plan, reasons, "home-reasons", calibrateHow ? (r) => r.replace(CLI_CALIBRATE, "(at least $1 m at your usual pace; how: below)") : (r) => r)}
      ${calibrateHow}
      <p class="notice" id="not-medical-advice">${esc(coaching.not_medical_advice)}</p>
      <p><a href="#/profile">Coaching settings</a></p></div>
    <h2>Latest walks</h2>
    ${walks.length ? walkTable(walks.map(walkRow).join("")) : `<p class="muted" id="no-own-walks">No walks of your own yet. <a href="#/upload">Upload a recording</a> or <a href="#/live">start a live walk</a>.</p>`}
    ${others.length ? `<h2>Sample and demo walks</h2>
    <p class="hint" id="demo-hint">Other people's recordings (or replays of them): shown, never counted for your coaching. <a href="#/walks">All walks</a></p>
    ${walkTable(others.map(walkRow).join(""), "demo-walks-table")}` : ""}`;
  bindWalkRows();
}

// How the coach's advice says to calibrate (gait.coach.text.CALIBRATE_WAYS: "... a walk of known distance (at least
// 100 m at your usual pace: “Calibrate: this walk was … m” on a walk's page, or gait calibrate)"): on Home, which
// shows the way step by step below, the parenthesis points there.
const CLI_CALIBRATE = /\(at least (\d+) m at your usual pace: “Calibrate: this walk was … m” on a walk's page, or gait calibrate\)/;

// How far back Home looks for a walk to calibrate with: the latest own walks, and the details of the few latest
// long enough of them (a walk whose figures are out of date cannot calibrate until analysed again).
const [CALIBRATE_WALKS_LISTED, CALIBRATE_WALKS_OPENED] = [50, 5];

/** How to calibrate on the dashboard, for a walker whose walks have no stride length the coach trusts: the walker's
 * latest own walk with the plan's placement that is long enough for a factor to rely on (``good_m``: the API's
 * ``calibration_walk_good_m``, as measured) and can calibrate, linked to its Calibrate card; when none is long
 * enough, said so; then how to record one, and the command line as the other way. */
async function calibrateHowTo(plan, good_m) {
  const lengthModel = (w) => w.placement && !NO_LENGTH_MODEL.includes(w.placement);
  const listed = await api(`/api/walks?limit=${CALIBRATE_WALKS_LISTED}&demo=false`);
  const ofPlacement = listed.filter((w) => (plan.placement ? w.placement === plan.placement : lengthModel(w)));
  const long = ofPlacement.filter((w) => w.summary.distance_m != null && w.summary.distance_m >= good_m);
  let walk = null;
  for (const w of long.slice(0, CALIBRATE_WALKS_OPENED)) {
    try {
      const detail = await api(`/api/walks/${w.id}`);
      if (detail.calibration && detail.calibration.can_calibrate) { walk = detail; break; }
    } catch (_) { /* gone meanwhile: the next one */ }
  }
  const sensor = plan.placement ? `${sensorWords(plan.placement)} ` : "";
  const record = `walk a distance you know (at least ${good_m} m: laps of a running track, 400 m a lap in the inside lane, or a route
    measured on a map) with the sensor where you usually wear it, upload the recording, then on its page fill in
    “Calibrate: this walk was … m”`;
  let first = "";
  if (walk) {
    first = `<li>If you know how far one of your walks was: open <a href="#/walk/${walk.id}?to=calibrate" id="calibrate-link">your
    latest ${esc(sensor)}walk of ${good_m} m or more, “${esc(walk.name)}”</a> (the sensor measured about ${fmt.dist(walk.summary.distance_m)}), and fill in
    “Calibrate: this walk was … m” with that distance in metres.</li>`;
  } else if (!long.length && ofPlacement.some((w) => w.summary.distance_m != null)) {
    const latest = ofPlacement.find((w) => w.summary.distance_m != null);
    const all = listed.length < CALIBRATE_WALKS_LISTED ? "" : "latest ";
    first = `<li id="calibrate-too-short">None of your ${all}${esc(sensor)}walks is long enough to calibrate with: a factor to rely on
    needs a walk of at least ${good_m} m, and your latest, “${esc(latest.name)}”, measured about ${fmt.dist(latest.summary.distance_m)}.</li>`;
  }
  return `<div class="notice" id="calibrate-how"><p><strong>Calibrating on this dashboard:</strong></p><ol>${first}
    <li>${walk ? `Or ${record}.` : sentence(record)}</li></ol>
    <p class="hint">Your stride lengths are then trusted for coaching. On the command line, <code>gait calibrate</code> does the same.</p></div>`;
}

/** A coaching plan's reasons: the plain ones as a list, those giving the technical workings (the baseline's line, how a
 * walk sets its own level) under "How the plan is worked out", with a plain sentence for the baseline first. */
function planReasons(plan, reasons, id, shown = (r) => r) {
  const technical = (r) => r.startsWith("Baseline") || r.startsWith("Until then each walk sets its own level");
  const plain = reasons.filter((r) => !technical(r)), detail = reasons.filter(technical);
  const source = plan.baseline ? plan.baseline.source : plan.baseline_source;  // the plan now, or a walk's of then
  const compared = plan.active ? ", and the strides after them are compared with that" : "";
  const usual = source === "personal" && plan.baseline_stride_m_at_reference != null
    ? `Your usual stride, from ${plan.baseline.n_walks} of your walks: about ${fmt.m(plan.baseline_stride_m_at_reference)} m at ${fmt.num(plan.reference_cadence_spm)} steps/min.`
    : source === "population" && detail.length ? `No usual stride of your own yet: until there is one, the first strides of each walk show how long your strides are${compared}.` : "";
  return `<ul id="${id}">${plain.map((r) => `<li>${esc(shown(r))}</li>`).join("")}${usual ? `<li class="plan-usual">${esc(usual)}</li>` : ""}</ul>
    ${detail.length ? `<details class="plan-detail"><summary>How the plan is worked out (details)</summary><ul class="hint">${detail.map((r) => `<li>${esc(r)}</li>`).join("")}</ul></details>` : ""}`;
}

// -- walks ------------------------------------------------------------------------------------------------------

function walkRow(w) {
  const s = w.summary;
  const badge = w.status === "live" ? `<span class="badge live">live</span>`
    : w.status === "interrupted" ? `<span class="badge" title="${esc(w.ended || "")}">interrupted</span>` : "";
  // a walk still live: its distance so far, as its live page shows it (its summary is written when it ends)
  const soFar = w.status === "live" && s.distance_m != null ? ` <span class="hint so-far">so far</span>` : "";
  return `<tr class="clickable" data-walk="${w.id}">
    <td class="walk-name"><a href="#/walk/${w.id}">${esc(w.name)}</a> ${badge} ${demoBadge(w)}<div class="narrow-date hint">${esc(fmt.date(w.started_at))}</div></td>
    <td class="hide-narrow">${esc(fmt.date(w.started_at))}</td>
    <td class="walk-distance">${fmt.dist(s.distance_m)}${soFar}</td>
    <td class="hide-narrow">${fmt.num(s.cadence_spm)}</td>
    <td>${fmt.m(s.stride_length_m)}</td>
    <td class="walk-flagged">${flaggedCell(s)}</td></tr>`;
}

/** A walk list's Flagged cell: a walk without strides (an Apple Health walk keeps only its summary) has none to
 * judge, "–" as its own page says, not 0. */
function flaggedCell(s) {
  if (!s.strides) return `<span title="no strides to judge">–</span>`;
  return s.flagged_strides ? `<span class="badge warn">${s.flagged_strides}</span>` : "0";
}

// Sample recordings and demo walks are somebody else's walking: shown, labelled, never used for coaching.
function demoKind(w) { return w.demo ? (w.origin === "sample" ? "sample" : "demo") : null; }
function demoBadge(w) {
  const kind = demoKind(w);
  return kind ? `<span class="badge demo" title="not your walking: never used for your coaching">${kind}</span>` : "";
}

function walkTable(rows, id = "walks-table") {
  return `<div class="table-wrap"><table id="${id}" class="walk-list"><thead><tr><th>Walk</th><th class="hide-narrow">Started</th><th>Distance</th>
    <th class="hide-narrow">Cadence <span class="th-unit">(steps/min)</span></th><th>Stride <span class="th-unit">(m)</span></th><th>Flagged</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

function bindWalkRows(root = document) {
  for (const tr of root.querySelectorAll("tr[data-walk]")) {
    tr.addEventListener("click", (e) => { if (e.target.tagName !== "A") location.hash = `#/walk/${tr.dataset.walk}`; });
  }
}

/** Walks the Walks page lists at a time; "Show older walks" fetches the next as many. */
const WALKS_PAGE = 100;

async function pageWalks() {
  const said = takeSaid();  // "Walk … deleted." after Delete walk
  const seq = state.routeSeq;
  const first = await pageData(api(`/api/walks?limit=${WALKS_PAGE}`, { total: true }));
  $main.innerHTML = `<h1>Walks</h1>${said ? `<p class="notice ok-note" id="walks-msg"></p>` : ""}
    ${first.items.length ? `${walkTable(first.items.map(walkRow).join(""))}<p id="walks-more" class="muted"></p>`
    : `<p class="muted">No walks yet.</p>`}`;
  bindWalkRows();
  if (said) sayDone("walks-msg", said);
  if (first.items.length) showWalksCount(first.total);
  const more = document.getElementById("walks-more");
  more?.addEventListener("click", async (e) => {
    const button = e.target.closest("button");
    if (!button) return;
    button.disabled = true;
    const shown = document.querySelectorAll("#walks-table tr[data-walk]").length;
    let older;
    try {
      older = await pageData(api(`/api/walks?limit=${WALKS_PAGE}&offset=${shown}`, { total: true }), seq);
    } catch (err) {
      if (err instanceof Superseded) throw err;
      enableAgain(button);
      more.insertAdjacentHTML("beforeend", ` <span class="error">${esc(err.message)}</span>`);
      return;
    }
    // a walk stored meanwhile moves the others down by one: a walk already listed is not listed twice
    const listed = new Set([...document.querySelectorAll("#walks-table tr[data-walk]")].map((tr) => tr.dataset.walk));
    const body = document.createElement("tbody");
    body.innerHTML = older.items.filter((w) => !listed.has(String(w.id))).map(walkRow).join("");
    document.querySelector("#walks-table").append(body);
    bindWalkRows(body);
    showWalksCount(older.total);
    // the button went with the count it stood in: focus on the first walk it added (Tab goes on through them)
    (body.querySelector("a") || document.getElementById("walks-older"))?.focus();
  });
}

/** Under the Walks list: "The latest 100 of 620 walks" and a button for older ones while not all are listed. */
function showWalksCount(total) {
  const shown = document.querySelectorAll("#walks-table tr[data-walk]").length;
  const more = document.getElementById("walks-more");
  more.innerHTML = shown < total
    ? `The latest ${shown} of ${total} walks are listed. <button type="button" id="walks-older">Show older walks</button>`
    : "";
}

/** A pain report's onset in seconds into the walk (the charts' x), or null when it gives neither time nor distance.
 * A distance is placed where the strides reach that share of the walk's distance, their lengths added up in time order
 * (the stride that crosses it interpolated): standing still adds nothing, so an onset at 75 % of a walk with a long
 * stop is marked in the walking after the stop, not at 75 % of the recording's time (inside the stop). */
function painX(p, walk, strides) {
  if (p.onset_time_s != null) return p.onset_time_s;
  const walked = strides.filter((r) => r.length_m != null && r.length_m > 0);
  if (p.onset_distance_m == null || !walk.summary.distance_m || !walked.length) return null;
  const total = walked.reduce((sum, r) => sum + r.length_m, 0);
  const goal = Math.min(1, p.onset_distance_m / walk.summary.distance_m) * total;
  let before = 0;
  for (const r of walked) {
    if (before + r.length_m >= goal) {
      return r.start_s + ((goal - before) / r.length_m) * (r.end_s - r.start_s) - walk.time_origin_s;
    }
    before += r.length_m;
  }
  return walked[walked.length - 1].end_s - walk.time_origin_s;
}

// A walk keeps the plan it was judged by (its history); when a pain report or a walk that plan rested on was deleted
// since, or a report was added since that the plan of its day counts, say so, so that "back pain 6/10 reported 5 days
// before this walk" or "from 810 strides in 3 baseline walks" is not read as still standing, nor a plan without the walker's
// latest report as the plan of that day.
function planChangesNote(walk) {
  const coaching = walk.coaching, redo = walk.reanalysis && walk.reanalysis.can_reanalyse;
  const again = (without) => (redo ? ` "Analyse again" above judges this walk by the plan ${without}.` : "");
  const gone = coaching.deleted_pain_reports || [];
  const added = coaching.added_pain_reports || [];
  const walks = coaching.deleted_walks || [];
  let html = "";
  if (walks.length) {
    const one = walks.length === 1;
    // with coaching off the plan counted only its personal baseline's walks (as the API's reason says)
    const counted = (coaching.enabled ?? coaching.active) ? "this plan counted (in its baseline or its pain-free walks)" : "of this plan's personal baseline";
    html += `<p class="notice" id="deleted-walk">Since this walk, ${one ? `a walk ${counted} was` : `${walks.length} walks ${counted} were`}
    deleted (${one ? "walk" : "walks"} ${walks.join(", ")}). The plan below is kept as it was at the time, but no longer holds.${again(one ? "without it" : "without them")}</p>`;
  }
  const moved = coaching.dates_changed || [];
  if (moved.some((m) => m.walk_id === walk.id)) {
    const first = moved.find((m) => m.walk_id === walk.id);
    html += `<p class="notice" id="date-changed-plan">This walk's date was changed since it was analysed (it was ${esc(fmt.date(first.from))}):
    the plan below is the one of its old date, kept as it was, and no longer holds.${again("of its new date")}</p>`;
  } else if (moved.length) {
    const ids = [...new Set(moved.map((m) => m.walk_id))], one = ids.length === 1;
    html += `<p class="notice" id="date-changed-plan">Since this walk was analysed, the date of ${one ? "walk" : "walks"} ${ids.join(", ")} was
    changed: this plan counted ${one ? "it" : "them"} at the old date, or can count ${one ? "it" : "them"} at the new one. The plan below is kept as it was,
    but no longer holds.${again(`with ${one ? "that walk's new date" : "those walks' new dates"}`)}</p>`;
  }
  if (gone.length) {
    const which = gone.map((p) => `back pain ${p.score}/10 reported ${esc(fmt.date(p.reported_at))}`).join("; ");
    html += `<p class="notice" id="deleted-pain">Since this walk, ${gone.length === 1 ? "a pain report this plan rested on was" : `${gone.length} pain reports this plan rested on were`}
    deleted (${which}). The plan below is kept as it was at the time, but no longer holds: today's plan on the
    <a href="#/">home page</a> leaves ${gone.length === 1 ? "that report" : "them"} out.${again(gone.length === 1 ? "without it" : "without them")}</p>`;
  }
  if (added.length) {
    const one = added.length === 1;
    const which = added.map((p) => `back pain ${p.score}/10 reported ${esc(fmt.date(p.reported_at))}${p.walk_name != null ? ` for the walk “${esc(p.walk_name)}”` : ""}`).join("; ");
    html += `<p class="notice" id="added-pain">Since this walk was analysed, ${one ? "a pain report was" : `${added.length} pain reports were`} added that the plan of its day
    counts (${which}). The plan below is kept as it was when the walk was analysed and leaves ${one ? "it" : "them"} out, so its
    target and flags do not follow from your reports as they are now.${again(one ? "with it" : "with them")}</p>`;
  }
  return html;
}

// -- analysing walks again -------------------------------------------------------------------------------------

// "strides 51 -> 51, median stride length 0.61 -> 0.65 m": what an analysis changed, from POST .../reanalyse.
// A walk's figures before and after it was analysed again, with its flagged strides when they changed (a new
// coaching plan changes only those), and saying so when its figures stayed as they were. A walk without stride
// lengths (a chest or wrist sensor: cadence only) says so, not "median stride length – m".
function reanalysisChange(r) {
  const b = r.before, a = r.after;
  const flagged = `flagged strides ${fmt.num(b.flagged_strides)} → ${fmt.num(a.flagged_strides)}`;
  const noLength = b.stride_length_m == null && a.stride_length_m == null;
  const noLengthWords = NO_LENGTH_MODEL.includes(r.placement) ? `no stride length (${r.placement} sensor: cadence only)` : "no stride length";
  const sameFigures = fmt.num(b.strides) === fmt.num(a.strides) && fmt.m(b.stride_length_m) === fmt.m(a.stride_length_m)
    && fmt.dist(b.distance_m) === fmt.dist(a.distance_m);
  if (!sameFigures) {
    const length = noLength ? noLengthWords : `median stride length ${fmt.m(b.stride_length_m)} → ${fmt.m(a.stride_length_m)} m`;
    const distance = fmt.dist(b.distance_m) !== fmt.dist(a.distance_m) ? `, distance ${fmt.dist(b.distance_m)} → ${fmt.dist(a.distance_m)}` : "";
    return `${b.flagged_strides !== a.flagged_strides ? `${flagged}, ` : ""}strides ${fmt.num(b.strides)} → ${fmt.num(a.strides)}, ${length}${distance}`;
  }
  const figures = noLength ? `strides ${fmt.num(a.strides)} as before, ${noLengthWords}`
    : `strides ${fmt.num(a.strides)} and median stride length ${fmt.m(a.stride_length_m)} m as before`;
  if (b.flagged_strides !== a.flagged_strides) return `only the coaching changed: ${flagged} (${figures})`;
  if (noLength) return `${figures}, so no stride to flag`;  // the coaching judges stride lengths only
  return `${figures}, and ${fmt.num(a.flagged_strides)} flagged strides as before (its page shows the coaching plan it is judged by now)`;
}

// Shown on the walk page once after "Analyse again" (the page is drawn again with the new figures).
const reanalysed = {};

function reanalysisNotice(walk) {
  const r = walk.reanalysis;
  const done = reanalysed[walk.id];
  delete reanalysed[walk.id];
  const moved = done && done.placement_before !== done.placement
    ? `placement ${(done.placement_before || "unknown").replace("_", " ")} → ${done.placement.replace("_", " ")}: ` : "";
  const result = done ? `<p class="notice ok-note" id="reanalyse-result" role="status">Analysed again with version ${esc(done.version)}: ${esc(moved + reanalysisChange(done))}.</p>` : "";
  const other = placementControl(walk);
  if (!r || !r.out_of_date) return result + other;
  const why = `These figures are out of date: ${r.reasons.map(esc).join("; ")}.`;
  // why_not is a clause ("walk 16 was uploaded..."): a sentence of its own here
  if (!r.can_reanalyse) return `${result}<p class="notice" id="reanalysis-note">${why} ${r.why_not ? esc(r.why_not[0].toUpperCase() + r.why_not.slice(1)) : ""}</p>`;
  return `${result}<div class="notice" id="reanalysis-note"><p>${why} Analysing it again gives this version's figures with your current profile (the coaching is judged by the plan of the walk's day).</p>
    <button id="reanalyse-btn" type="button">Analyse again</button> <span id="reanalyse-msg" role="status"></span></div>${other}`;
}

// "Analyse again" as another placement: a walk stored with the wrong one (uploaded as waist, worn at the lower
// back) is corrected in place, keeping its id and pain reports (POST .../reanalyse {placement}). Not for a sample
// walk: its placement is its walker's.
function placementControl(walk) {
  if (!walk.reanalysis || !walk.reanalysis.can_reanalyse || walk.origin === "sample") return "";
  const others = PLACEMENTS.filter((p) => p !== walk.placement);
  return `<details class="hint" id="reanalyse-placement"><summary>Worn elsewhere? Analyse as another placement</summary>
    <label for="reanalyse-placement-select">Where was the sensor worn?</label>
    <select id="reanalyse-placement-select">${others.map((p) => `<option value="${p}">${p.replace("_", " ")}</option>`).join("")}</select>
    <button id="reanalyse-placement-btn" type="button">Analyse again as this placement</button> <span id="reanalyse-placement-msg" role="status"></span>
    <p>The walk keeps its place and its pain reports; its stride lengths then come from that placement's model and calibration factor, and its coaching from the plan of its day for that placement.</p></details>`;
}

function bindReanalyse(walk) {
  const run = (btn, msg, body) => btn.addEventListener("click", async () => {
    const seq = state.routeSeq;
    btn.disabled = true;
    msg.className = ""; msg.textContent = "Analysing…";
    try {
      const done = await api(`/api/walks/${walk.id}/reanalyse`, { method: "POST", ...body() });
      if (!onPage(seq)) return;  // analysed all the same: its page says so when opened
      reanalysed[walk.id] = done;
      await pageWalk(walk.id, true);
      // its button went with the redraw: focus on what it did (read out: role=status)
      focusResult(document.getElementById("reanalyse-result"));
    } catch (err) {
      enableAgain(btn);
      msg.className = "error"; msg.textContent = userMessage(err);
    }
  });
  const btn = document.getElementById("reanalyse-btn");
  if (btn) run(btn, document.getElementById("reanalyse-msg"), () => ({}));
  const other = document.getElementById("reanalyse-placement-btn");
  if (other) {
    const placement = () => document.getElementById("reanalyse-placement-select").value;
    run(other, document.getElementById("reanalyse-placement-msg"), () => ({ json: { placement: placement() } }));
  }
}

// -- changing a walk's date ------------------------------------------------------------------------------------

// "Change date": a walk dated at its upload (its file held no start time), a start typed wrong in the upload form,
// or a phone's or sensor's wrong clock is dated in place (PATCH /api/walks/{id}), keeping its id, figures and pain
// reports. The box takes the walker's local time, as the upload form's "When did you walk?" does; the coaching it
// was judged by (the plan of its old date) is then out of date, said on the page drawn again.
const dateChanged = {};

function dateChangedNotice(walk) {
  const done = dateChanged[walk.id];
  delete dateChanged[walk.id];
  return done ? `<p class="notice ok-note" id="date-changed">${esc(sentence(done.message))}</p>` : "";
}

function dateControl(walk) {
  if (!walk.can_change_date) return "";
  const undated = walk.source.started_at_from === "import";
  return `<details class="hint" id="change-date" ${undated ? "open" : ""}><summary>Change date</summary>
    <form id="change-date-form" novalidate>
      <label for="change-date-input">When did this walk start? <span class="hint">(your local time)</span></label>
      <input type="datetime-local" id="change-date-input" value="${localInputValue(Date.parse(walk.started_at))}">
      <button type="submit" id="change-date-btn">Save date</button> <span id="change-date-msg" role="status"></span>
    </form>
    <p>The walk keeps its figures and its pain reports, and moves to that date in your walks and Trends. Its coaching
      was judged by the plan of its old date: it is then out of date, to analyse again by the plan of its new date
      (so are the walks whose plan it counted there or can count now).</p></details>`;
}

function bindChangeDate(walk) {
  const form = document.getElementById("change-date-form");
  if (!form) return;
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const seq = state.routeSeq;
    const input = document.getElementById("change-date-input"), btn = document.getElementById("change-date-btn");
    const msg = document.getElementById("change-date-msg");
    if (!input.value || skippedTimeProblem(input.value)) {
      msg.className = "error"; msg.textContent = skippedTimeProblem(input.value) || "Enter the date and time the walk started.";
      input.focus();
      return;
    }
    btn.disabled = true;
    msg.className = ""; msg.textContent = "Saving…";
    try {
      // the box shows minutes: saved as shown, the walk keeps its start to the second (not rounded to the minute)
      const unchanged = input.value === localInputValue(Date.parse(walk.started_at));
      const startedAt = unchanged ? walk.started_at : withUtcOffset(input.value, Date.parse(walk.started_at));
      const done = await api(`/api/walks/${walk.id}`, { method: "PATCH", json: { started_at: startedAt } });
      if (!onPage(seq)) return;  // changed all the same: its page shows the new date when opened
      dateChanged[walk.id] = done;
      await pageWalk(walk.id, true);
      sayDone("date-changed", sentence(done.message));
    } catch (err) {
      if (!onPage(seq)) return;
      btn.disabled = false;
      msg.className = "error"; msg.textContent = userMessage(err);
      input.focus();
    }
  });
}

// -- calibrating from a walk of known distance ---------------------------------------------------------------

const factorWords = (f) => (f == null ? "none" : Number(f).toFixed(3));
// A placement as the walk page says it before "sensor" or "factor" ("a lower-back sensor"), never its raw id.
const sensorWords = (placement) => String(placement).replace("_", "-");

const sentence = (text) => `${text[0].toUpperCase()}${text.slice(1)}.`;

// A factor from a short walk is rough (the API's warning says why and what to do): said beside the factor before
// it is saved and again once it is.
const roughFactor = (warning, id) => (warning ? `<div class="notice" id="${id}" role="note"><p>${esc(sentence(warning))}</p></div>` : "");

// Shown on the walk page once after a calibration was saved (the page is drawn again, out of date now).
const calibrated = {};

function calibrationNotice(walk) {
  const c = calibrated[walk.id];
  delete calibrated[walk.id];
  if (!c) return "";
  const others = Math.max(0, (c.out_of_date || 0) - 1);
  return `<div class="notice ok-note" id="calibrate-saved" role="status"><p>Saved to your profile: your ${esc(sensorWords(c.placement))} factor is now ${factorWords(c.factor)} (was ${factorWords(c.factor_before)}).
    ${c.notes.map((n) => esc(sentence(n))).join(" ")}</p>
    <p>Walks with a ${esc(sensorWords(c.placement))} sensor analysed before keep their old figures until they are analysed again: this walk below (its distance becomes about ${fmt.dist(c.distance_after_m)})${others ? `; ${others} other walk${others === 1 ? " is" : "s are"} out of date too (for this factor or another reason), analysed again from <a href="#/profile">your profile page</a> ("Analyse all ${c.out_of_date} again")` : ""}.
    Your coaching baseline is built from your walks' stored stride lengths: analysed again, they are on the same scale as your next walks.</p></div>
    ${roughFactor(c.warning, "calibrate-saved-warning")}`;
}

function calibrationCard(walk) {
  const c = walk.calibration;
  if (!c || walk.demo) return "";  // somebody else's walk: its page already says it is not yours
  if (!c.can_calibrate) return `<p class="hint" id="calibrate-why-not">Calibrating your stride length from this walk is not possible: ${esc(c.why_not)}.</p>`;
  return `<div class="card" id="calibrate"><h2>Calibrate: this walk was … m</h2>
    <p class="hint">Do you know how far this walk really was? Laps of a running track (400 m a lap in the inside lane),
      or a route you measured with a map or a route planner. From it your personal stride-length factor for a
      ${esc(sensorWords(c.placement))} sensor is fitted (yours now: ${factorWords(c.factor)}); it then applies to your walks with the sensor
      there, and to no other. Only a walk that covers the whole distance, and nothing more, gives a true factor.
      <span id="calibrate-length">Walk at least ${c.good_walk_m} m at your usual pace: in a shorter walk the starting and
      stopping strides weigh too much, and the factor is rough (under ${c.min_walk_m} m it cannot calibrate).</span></p>
    <form id="calibrate-form" novalidate><label>This walk was <input type="text" id="calibrate-distance" inputmode="decimal" autocomplete="off"> m</label>
      <button type="submit">Fit my factor</button></form>
    <div id="calibrate-preview" role="status"></div></div>`;
}

function bindCalibrate(walk) {
  const form = document.getElementById("calibrate-form");
  if (!form) return;
  const preview = document.getElementById("calibrate-preview");
  const send = (distance_m, dry_run) => api(`/api/walks/${walk.id}/calibrate`, { method: "POST", json: { distance_m, dry_run } });
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const raw = document.getElementById("calibrate-distance").value.trim();
    const distance = readDecimal(raw);
    if (distance === null || !Number.isFinite(distance)) {
      const what = raw ? `"${esc(raw)}" is not a distance: enter` : "Enter";
      preview.innerHTML = `<p class="error" id="calibrate-unread">This walk was … m: ${what} the distance you walked, in metres, as one number (for example 400 or 330.5).</p>`;
      return;
    }
    preview.textContent = "Fitting…";
    const seq = state.routeSeq;
    let fit;
    try { fit = await send(distance, true); } catch (err) {
      preview.innerHTML = `<p class="error" id="calibrate-error">${esc(userMessage(err))}</p>`;
      return;
    }
    if (!onPage(seq)) return;
    preview.innerHTML = `<table id="calibrate-table"><tr><th><span class="visually-hidden">Figure</span></th><th>now</th><th>with ${fmt.dist(distance)}</th></tr>
      <tr><td>Your ${esc(sensorWords(fit.placement))} factor</td><td>${fit.factor_before == null ? "none (the model's own lengths)" : factorWords(fit.factor_before)}</td><td>${factorWords(fit.factor)}</td></tr>
      <tr><td>This walk's distance</td><td>${fmt.dist(fit.distance_before_m)}</td><td>${fmt.dist(fit.distance_after_m)}</td></tr></table>
      ${roughFactor(fit.warning, "calibrate-warning")}
      <p class="hint">The model alone estimated ${fmt.dist(fit.model_distance_m)}. Nothing is saved yet.</p>
      <button type="button" id="calibrate-save">Save factor ${factorWords(fit.factor)} to my profile</button> <span id="calibrate-msg" role="status"></span>`;
    const save = document.getElementById("calibrate-save");
    save.addEventListener("click", async () => {
      const msg = document.getElementById("calibrate-msg");
      save.disabled = true;
      msg.className = ""; msg.textContent = "Saving…";
      try {
        const saved = await send(distance, false);
        if (!onPage(seq)) return;  // saved all the same: the walk's page says it is out of date when opened
        calibrated[walk.id] = saved;
        await pageWalk(walk.id, true);
        // the Save button went with the redraw: focus on what was saved (a keyboard goes on from there, not the top)
        const notice = document.getElementById("calibrate-saved");
        if (notice) {
          notice.scrollIntoView({ block: "center" });
          notice.tabIndex = -1;
          notice.focus({ preventScroll: true });
        }
      } catch (err) {
        enableAgain(save);
        msg.className = "error"; msg.textContent = userMessage(err);
      }
    });
  });
}

// Placements without a stride-length model (cadence only): gait.types.NO_LENGTH_MODEL_PLACEMENTS.
const NO_LENGTH_MODEL = ["wrist", "chest"];

// Why a walk's chart has no target band, with the real reason: its sensor measures no stride length; a demo never
// uses your baseline; no baseline of yours for its placement (walks stored before baselines were kept per placement
// say no more than that there was none), and too few trusted strides to set the walk's own level, or the stride
// that set it was the walk's last (no stride after it has a target), or none after it had a trusted length (the
// walk's coaching, gait.coach.StrideJudge.describe, says the same).
function noBandReason(walk, strides) {
  const c = walk.coaching || {};
  const sensor = walk.placement ? `a ${sensorWords(walk.placement)} sensor` : "this sensor";
  if (NO_LENGTH_MODEL.includes(walk.placement)) return `no target band: ${sensor} has no stride-length model (cadence only), so no stride has a target`;
  if (c.baseline_source !== "population") return "no target band";
  const why = walk.demo ? "a demo walk never uses your baseline"
    : "baseline_placement" in c ? `no baseline of yours for ${sensor} yet` : "no personal baseline";
  const set = `no target band: ${why}, so this walk's first 20 trusted strides were to set its level`;
  // the strides after the level have a target, trusted or not: none with one means the 20th was the last stride
  const after = c.walk_level_scale == null ? "and it did not have that many"
    : strides.some((r) => r.target_m != null) ? "and no stride after them had a trusted length"
    : "and the 20th was its last stride: none was left to compare";
  return `${set}, ${after} (see its coaching below)`;
}

/** Why a walk without strides has no flagged or trusted count: an Apple Health walk holds the phone's step count
 * only. */
function noStridesWhy(walk) {
  return walk.format === "apple_health" ? "the phone kept only its step count"
    : podWalk(walk) ? "a foot pod sends its own figures, not strides" : "no strides in this walk";
}

/** A walk a foot pod (RSC) alone streamed: its figures are the pod's own, steps and no strides. */
function podWalk(walk) {
  return !!(walk.coaching && walk.coaching.pod) && walk.summary.strides == null;
}

/** One plain sentence under the figures of a coached walk with flagged strides: how many were longer than the walk's
 * own target (the median target of those flagged) and what to try, linked to the tips. Silent with coaching off, on
 * somebody else's walk, and when too few lengths were trusted for the count to mean much. */
function flaggedTakeaway(walk, strides, trusted) {
  const c = walk.coaching;
  if (!c || !c.active || walk.demo || !walk.summary.flagged_strides) return "";
  const judged = strides.filter((r) => trusted(r) && r.target_m != null);
  const flagged = strides.filter((r) => r.overlong && r.target_m != null);
  const withLength = strides.filter((r) => r.length_m != null).length;
  if (judged.length < TAKEAWAY_MIN_JUDGED || strides.filter(trusted).length < withLength / 2 || !flagged.length) return "";
  const share = flagged.length / judged.length;
  const how = share > 0.5 ? "Most of your strides" : share >= 0.2 ? "Some of your strides" : "A few of your strides";
  const target = median(flagged.map((r) => r.target_m));
  return `<p class="notice" id="takeaway">${how} (${flagged.length} of the ${judged.length} compared with a target) were longer
    than your target of about ${fmt.m(target)} m, ${targetCutFrom(c)}; next time, try slightly shorter, quicker steps.
    <a href="#/profile?to=tips" id="takeaway-tips">Tips for shorter steps</a></p>`;
}
/** Where a coached walk's target comes from, after "your target of about 1.31 m, ": set below how the walker walks,
 * so most strides of a walk at the usual stride are over it until the walker shortens them on purpose (a fact of the
 * rule, not a verdict on the walker). */
function targetCutFrom(c) {
  const below = `which is set ${fmt.percent(c.reduction)} shorter than`;
  // a walk stored before judged_against was kept says where its target came from by its baseline only
  const from = c.baseline_source === "personal" ? "your usual strides (your personal baseline)"
    : `how you walked (${c.judged_against || "this walk's first 20 strides"})`;
  return `${below} ${from}: that is expected until you shorten your steps on purpose`;
}
const UNCLOSED_BADGE = "stopped, not closed yet (disk full)";  // a live walk a full disk left open (Stop closes it)
const TAKEAWAY_MIN_JUDGED = 20;  // fewer strides compared with a target say too little for advice

// The stride-length models a walk's notes name, in a walker's words first (the note itself follows, smaller).
const MODEL_WORDS = [
  ["inverted-pendulum model", "worked out from how far the sensor on your trunk rises and falls at each step"],
  ["Weinberg step model", "worked out from how strongly the sensor bounces up and down at each step"],
  ["zero-velocity-update integration", "worked out by following the shoe's movement from one footfall to the next"],
];

function noteItem(note) {
  const model = note.startsWith("stride length: ") && MODEL_WORDS.find(([name]) => note.includes(name));
  return model ? `<li>Stride length: ${model[1]}. <span class="hint">${esc(note)}</span></li>` : `<li>${withCommands(note)}</li>`;
}

/** The stride-length chart of a walk in words: how long, the median length, how many strides were trusted, how many of
 * those judged against a target were flagged above the band (its median target and the tolerance), pain onsets. */
function lengthChartWords(walk, strides, trusted, span_s, tol, pains) {
  const lengths = strides.filter((r) => r.length_m != null);
  const sure = lengths.filter(trusted).length;
  const judged = strides.filter((r) => trusted(r) && r.target_m != null);
  const flagged = strides.filter((r) => r.overlong && r.length_m != null).length;
  const parts = [`Stride length over ${fmt.durWords(span_s)}, one mark per stride: median ${fmt.m(median(lengths.map((r) => r.length_m)))} m over ${countOf(lengths.length, "stride")}`,
    sure === lengths.length ? "all trusted for coaching" : `${sure} trusted for coaching (dots), ${lengths.length - sure} not trusted (rings)`];
  // the band as the legend above the chart names it
  const target = judged.length ? fmt.m(median(judged.map((r) => r.target_m))) : null;
  if (walk.coaching && walk.coaching.sample) parts.push("no target: a sample walk is not coached");
  else if (!judged.length) parts.push(noBandReason(walk, strides));
  else if (!(walk.coaching && walk.coaching.active)) parts.push(`a usual-stride band from about ${target} m (coaching was inactive: nothing flagged)`);
  else parts.push(`${flagged} of ${countOf(judged.length, "judged stride")} flagged above the target band (target about ${target} m, plus ${fmt.m(tol)} m tolerance)`);
  if (pains.length) parts.push(`pain onset marked at ${pains.map((p) => fmt.durWords(p.x)).join(", ")} into the walk`);
  return `${parts.join("; ")}.`;
}

async function pageWalk(id, redraw = false) {
  const [walk, columns] = await pageData(Promise.all([api(`/api/walks/${id}`), api(`/api/walks/${id}/strides?layout=columns`)]));
  const strides = columns.idx.map((_, i) => ({
    start_s: columns.start_s[i], end_s: columns.end_s[i], length_m: columns.length_m[i], cadence_spm: columns.cadence_spm[i],
    target_m: columns.target_m[i], overlong: columns.overlong[i], confidence: columns.confidence[i],
  }));
  const s = walk.summary;
  const tol = walk.coaching && walk.coaching.tolerance_m != null ? walk.coaching.tolerance_m : 0.05;
  // The coach judges only confident lengths (turns, shuffles, an assumed height, an uncalibrated phone model are
  // not): they are counted and drawn apart, so a walker does not read an unreliable length as a measured one.
  const minConf = walk.coaching && walk.coaching.min_confidence != null ? walk.coaching.min_confidence : 0.6;
  const trusted = (r) => r.length_m != null && r.confidence >= minConf;
  const withLength = strides.filter((r) => r.length_m != null).length;
  // Targets exist only where there was a level to cut them from (the walker's usual strides, or this walk's own
  // first trusted strides): a walk without one has no band, and says why.
  const anyTarget = strides.some((r) => trusted(r) && r.target_m != null);
  const pains = walk.pain_reports.map((p) => ({ ...p, x: painX(p, walk, strides) })).filter((p) => p.x != null);
  $main.innerHTML = `
    <h1>${esc(walk.name)}</h1>
    <p class="muted"><span id="walk-date">${esc(fmt.date(walk.started_at))}</span>${walk.source.started_at_from === "import" ? ` <span id="started-note">(dated to end when it was ${walk.origin === "sample" ? "imported at first start" : "uploaded"}: the file holds no start time${walk.can_change_date ? "; give its date under “Change date”" : ""})</span>` : ""} · ${esc(walk.source.recorded === "gait live" ? "live (gait live)" : walk.origin)} · <span id="walk-format">${esc(FORMAT_NAMES[walk.format] || walk.format || "")}</span> · ${esc(walk.placement ? `a ${sensorWords(walk.placement)} sensor` : "placement unknown")}
      ${walk.status !== "complete" ? `· <span class="badge ${walk.status === "live" ? "live" : ""}">${esc(walk.status)}</span>` : ""} ${demoBadge(walk)}
      ${walk.ended ? `· <span id="walk-ended">ended: ${esc(walk.ended)}</span>` : ""}</p>
    ${walk.source.end_detail ? `<p class="notice" id="end-detail">What stopped it: ${esc(walk.source.end_detail)}</p>` : ""}
    ${dateChangedNotice(walk)}
    ${dateControl(walk)}
    ${calibrationNotice(walk)}
    ${reanalysisNotice(walk)}
    ${walk.demo ? `<p class="notice" id="demo-note">A ${demoKind(walk)} walk, not yours: it is shown here but never used for your coaching (baseline, pain-free walks, targets).</p>` : ""}
    ${walk.reason ? `<p class="notice">${esc(walk.reason)}</p>` : ""}
    ${walk.notes.filter((n) => n.startsWith("placement check")).map((n) => `<p class="notice placement-check">${esc(n)}</p>`).join("")}
    <div class="grid" id="summary">
      ${stat("Distance", fmt.dist(s.distance_m))}
      ${stat("Walking time", fmt.dur(s.walking_time_s))}
      ${stat(`Cadence (${s.strides == null ? "walk's mean" : "median"})`, fmt.num(s.cadence_spm), "steps/min", "", "cadence-stat")}
      ${stat(`Stride length (${s.strides == null ? "walk's mean" : "median"})`, fmt.m(s.stride_length_m),
        s.stride_length_m != null ? "m" : NO_LENGTH_MODEL.includes(walk.placement) ? "cadence only" : "", "", "stride-stat")}
      ${walk.gps_stride_length_m != null ? stat("Stride length (GPS)", fmt.m(walk.gps_stride_length_m), "m", "", "gps-stride") : ""}
      ${walk.format === "apple_health" ? stat("Steps", fmt.num(s.steps), "the phone's count", "", "step-count")
        : podWalk(walk) ? stat("Steps", fmt.num(s.steps), "the foot pod's count", "", "step-count")
        : walk.placement === "foot" || s.strides == null ? stat("Strides", fmt.num(s.strides))
        : stat("Strides", fmt.num(s.strides), "overlapping", "", "stride-count")}
      ${strides.length ? stat("Flagged strides", fmt.num(s.flagged_strides), "", s.flagged_strides ? "warn" : "", "flagged")
        : stat("Flagged strides", "–", noStridesWhy(walk), "", "flagged")}
      ${withLength ? stat("Trusted for coaching", String(strides.filter(trusted).length), `of ${withLength}`, "", "trusted")
        : stat("Trusted for coaching", "–", strides.length ? "no stride lengths" : noStridesWhy(walk), "", "trusted")}
    </div>
    ${ridingLine(walk)}
    ${walk.format !== "apple_health" && walk.placement !== "foot" && s.strides ? `<p class="hint" id="overlap-note">Strides overlap: a new one starts at every step
      (left foot to left foot, right foot to right foot), so there are about as many strides as steps.</p>` : ""}
    ${flaggedTakeaway(walk, strides, trusted)}
    ${strides.length && !strides.some((r) => r.length_m != null) ? `<p class="muted" id="no-length-charts">No stride lengths in this walk
      (${NO_LENGTH_MODEL.includes(walk.placement) ? `a ${esc(sensorWords(walk.placement))} sensor gives cadence only` : "none could be measured"}), so only its cadence is drawn.</p>
    <h2>Cadence over time</h2><div class="chart" id="chart-cadence"></div>`
    : strides.length ? `<h2>Stride length over time</h2>
    <p class="hint"><span class="legend-dot dot-ok"></span>stride <span class="legend-dot dot-flag"></span>flagged overlong
      <span class="legend-dot dot-unsure"></span>length not trusted for coaching (turn, shuffle, assumed height…)
      ${walk.coaching && walk.coaching.sample ? `<span id="no-band">no target: a sample walk is not coached</span>`
        : !anyTarget ? `<span id="no-band">${esc(noBandReason(walk, strides))}</span>`
        : `<span class="legend-dot dot-band"></span>${walk.coaching && walk.coaching.active
        ? `target band (target to target + ${tol.toFixed(2)} m tolerance)`
        : `usual-stride band (coaching was inactive: nothing flagged)`}`}
      ${pains.length ? `<span class="legend-dot dot-pain"></span>pain onset` : ""}
      ${walk.riding.length ? `<span class="legend-dot dot-ride"></span>${RIDE_WORDS}` : ""}</p>
    <div class="chart" id="chart-length"></div>
    <h2>Cadence over time</h2><div class="chart" id="chart-cadence"></div>
    <h2>Stride-length histogram</h2><div class="chart" id="chart-hist"></div>` : `<p class="muted" id="no-charts">No strides in this walk, so no charts.</p>`}
    ${walk.coaching && walk.coaching.reasons ? `<div class="card" id="coaching-then"><h2>Coaching at the time</h2>${planChangesNote(walk)}${planReasons(walk.coaching, walk.coaching.reasons, "coaching-then-reasons")}</div>` : ""}
    <p class="notice" id="not-medical-advice">${esc(walk.not_medical_advice)}</p>
    ${walk.notes.length ? `<div class="card" id="notes"><h2>How these figures were obtained</h2><ul>${walk.notes.map(noteItem).join("")}</ul></div>` : ""}
    ${walk.cues.length ? `<div class="card"><h2>Cues during the walk</h2><ul>${walk.cues.map((c) => `<li>${fmt.dur(c.t_s - walk.time_origin_s)}: ${esc(c.message)} <span class="hint">${esc(c.reason || "")}</span></li>`).join("")}</ul></div>` : ""}
    ${walk.pain_reports.length ? `<div class="card"><h2>Pain reports</h2><ul>${walk.pain_reports.map((p) => `<li>${p.score}/10 ${p.onset_distance_m != null ? `at ${fmt.dist(p.onset_distance_m)}` : ""} ${p.onset_time_s != null ? `after ${fmt.dur(p.onset_time_s)}` : ""} ${esc(p.note || "")}</li>`).join("")}</ul></div>` : ""}
    ${calibrationCard(walk)}
    <div class="actions">
      <a class="btn" href="/api/walks/${walk.id}/export.csv" download>Export CSV</a>
      <a class="btn" href="/api/walks/${walk.id}/export.json" download>Export JSON</a>
      ${walk.demo ? "" : `<a href="#/pain?walk=${walk.id}">Report pain for this walk</a>`}
      ${walk.status === "live"
        ? `<span class="hint" id="delete-live-note">This walk is being recorded live: stop it on the <a href="#/live">Live page</a> before deleting it.</span>`
        : `<button class="danger" id="delete-walk">Delete walk</button>`}
    </div>`;
  const strideCount = document.getElementById("stride-count-box");
  // a trunk or phone sensor starts a stride (left to left, right to right) at every step: strides overlap
  if (strideCount) strideCount.title = "A stride starts at every step (left foot to left foot, right to right), so strides overlap: strides x stride length is about twice the distance.";
  document.getElementById("delete-walk")?.addEventListener("click", async (ev) => {
    const seq = state.routeSeq;
    const n = s.strides || 0, steps = s.steps || 0;
    // a foot pod's or an Apple Health walk has steps and a distance, no strides: what it holds is named so
    const holds = n ? ` and its ${n} stride${n === 1 ? "" : "s"}`
      : steps ? ` and its ${steps} step${steps === 1 ? "" : "s"}${s.distance_m != null ? ` (${fmt.dist(s.distance_m)})` : ""}`
      : s.distance_m != null ? ` and its ${fmt.dist(s.distance_m)}` : "";
    // asked now, not at page load: walks added since (another tab, an upload) may rest on it too, pain reports
    // may have been added or deleted; a failed question never blocks the deletion, it is asked without the count
    const button = ev.currentTarget;
    button.disabled = true;
    const fresh = await api(`/api/walks/${walk.id}`).catch(() => null);
    enableAgain(button);
    if (!onPage(seq)) return;  // the walker went elsewhere meanwhile
    // its pain reports are kept (they are the walker's history and the coaching's), only no longer tied to it
    const p = (fresh || walk).pain_reports.length;
    const kept = p ? ` ${p === 1 ? "Its pain report is" : `Its ${p} pain reports are`} kept, no longer linked to a walk (delete ${p === 1 ? "it" : "them"} on the Pain page if ${p === 1 ? "it should" : "they should"} go too).` : "";
    // the later walks whose coaching plan counted this walk keep that plan (their history) but are out of date
    const later = fresh ? (fresh.rested_on_by || []).length : null;
    const rested = later === null
      ? " Any later walk whose coaching rested on it (its baseline or count of pain-free walks) will be marked out of date, to analyse again without it."
      : later ? ` The coaching of ${later === 1 ? "1 later walk" : `${later} later walks`} rested on it (${later === 1 ? "its" : "their"} baseline or count of pain-free walks): ${later === 1 ? "it" : "they"} will be marked out of date, to analyse again without it.` : "";
    if (!confirm(`Delete "${walk.name}"${holds}?${rested}${kept}`)) return;
    try {
      await api(`/api/walks/${walk.id}`, { method: "DELETE" });
    } catch (err) {
      // deleted meanwhile (another tab): gone all the same; any other failure is said
      if (!(err instanceof ApiError && err.status === 404)) { alert(`The walk was not deleted: ${err.message}`); return; }
    }
    if (onPage(seq)) openSaying("#/walks", `Walk “${walk.name}” deleted.`);  // not from the page the walker went to meanwhile
  });
  bindReanalyse(walk);
  bindChangeDate(walk);
  bindCalibrate(walk);
  // linked from Home's "Calibrating on this dashboard": the card in view, its box ready to type in
  if (!redraw && new URLSearchParams(location.hash.split("?")[1] || "").get("to") === "calibrate") {
    document.getElementById("calibrate")?.scrollIntoView({ block: "center" });
    document.getElementById("calibrate-distance")?.focus({ preventScroll: true });
  }
  if (!strides.length) return;  // no chart headings either: "No strides in this walk, so no charts."
  const len = strides.map((r) => r.length_m);
  // A pause between stretches of walking gets a row of nulls, so the target band and the cadence line stop at it
  // instead of being drawn straight across minutes without a stride.
  const rows = withRides(withPauses(strides, walk.time_origin_s), walk.riding, walk.time_origin_s);
  const x = rows.map((r) => r.x_s);
  const timeAxis = walkTimeAxis(Math.max(0, ...x.filter((v) => v != null), ...pains.map((p) => p.x)));
  const of = (f) => rows.map((r) => (r.pause ? null : f(r)));
  const sure = of((r) => (trusted(r) ? r.length_m : null));
  const unsure = of((r) => (r.length_m != null && !trusted(r) ? r.length_m : null));
  const flagged = of((r) => (r.overlong ? r.length_m : null));
  const lo = heldTargets(rows, trusted);
  const hi = lo.map((v) => (v == null ? null : v + tol));
  const hasTarget = lo.some((v) => v != null);
  const accent = cssVar("--accent"), warn = cssVar("--warn"), ok = cssVar("--ok");
  const painHook = (u) => {
    const ctx = u.ctx;
    ctx.save();
    ctx.strokeStyle = "#f9a825";
    ctx.lineWidth = 3;
    ctx.setLineDash([6, 4]);
    for (const p of pains) {
      const px = u.valToPos(p.x, "x", true);
      ctx.beginPath(); ctx.moveTo(px, u.bbox.top); ctx.lineTo(px, u.bbox.top + u.bbox.height); ctx.stroke();
    }
    ctx.restore();
  };
  const rideHook = ridingHook(walk.riding, walk.time_origin_s);
  const series = [{ label: "s" }, { label: "not trusted m", ...ringsOnly(cssVar("--muted"), 6) },
    { label: "stride m", ...pointsOnly(accent, 4) }, { label: "flagged", ...pointsOnly(warn, 7) }];
  const data = [x, unsure, sure, flagged];
  const bands = [];
  if (hasTarget) {
    series.push({ label: "target m", stroke: ok, width: 1 }, { label: "target + tol", stroke: ok, width: 1, dash: [4, 4] });
    data.push(lo, hi);
    bands.push({ series: [5, 4], fill: cssVar("--band") });
  }
  const lengthChart = document.getElementById("chart-length");  // none where the walk has no stride length
  const span_s = Math.max(0, ...x.filter((v) => v != null));
  if (lengthChart) makeChart(lengthChart, {
    scales: { x: { time: false } }, series, bands,
    axes: [timeAxis, { label: "stride length (m)", size: 60 }],
    hooks: { draw: [rideHook, painHook] },
  }, data, lengthChartWords(walk, strides, trusted, span_s, tol, pains));
  const cadences = strides.map((r) => r.cadence_spm).filter((v) => v != null);
  makeChart(document.getElementById("chart-cadence"), {
    scales: { x: { time: false } },
    series: [{ label: "s" }, { label: "cadence", stroke: accent, width: 1.5, spanGaps: false }],
    axes: [timeAxis, { label: "steps/min", size: 60 }],
    hooks: { draw: [rideHook, painHook] },
  }, [x, of((r) => r.cadence_spm)], cadences.length
    ? `Cadence over ${fmt.durWords(span_s)}, stride by stride: median ${fmt.num(median(cadences))} steps/min, from ${fmt.num(Math.min(...cadences))} to ${fmt.num(Math.max(...cadences))}.`
    : "Cadence over time: no stride has a cadence.");
  const known = len.filter((v) => v != null);
  if (known.length && document.getElementById("chart-hist")) {
    const bin = 0.05;
    const min = Math.floor(Math.min(...known) / bin) * bin, max = Math.ceil(Math.max(...known) / bin) * bin + bin;
    const edges = [], counts = [];
    for (let e = min; e < max - 1e-9; e += bin) { edges.push(+(e + bin / 2).toFixed(3)); counts.push(0); }
    for (const v of known) counts[Math.min(counts.length - 1, Math.floor((v - min) / bin))]++;
    const top = counts.indexOf(Math.max(...counts));
    makeChart(document.getElementById("chart-hist"), {
      scales: { x: { time: false } },
      series: [{ label: "m" }, { label: "strides", stroke: accent, fill: accent + "99", paths: uPlot.paths.bars({ size: [0.94, 1000] }) /* adjacent bins touch, as a histogram's do */, points: { show: false } }],
      axes: [{ label: "stride length (m)" }, { label: "strides" }],
    }, [edges, counts], `Histogram of ${countOf(known.length, "stride length")} in ${Math.round(bin * 100)} cm bins, from ${fmt.m(Math.min(...known))} to ${fmt.m(Math.max(...known))} m:
      the most (${counts[top]}) between ${fmt.m(edges[top] - bin / 2)} and ${fmt.m(edges[top] + bin / 2)} m.`);
  }
}

// -- trends -----------------------------------------------------------------------------------------------------

const DAY_MS = 86400000;

// The UTC midnight that starts a trends period: a day "2026-11-26", the Monday of an ISO week "2026-W48", or the
// first day of a month "2026-11".
function periodStartMs(label, period) {
  if (period === "day" || period === "month") {
    const [y, m, d] = label.split("-").map(Number);
    return Date.UTC(y, m - 1, d || 1);
  }
  const [y, w] = label.split("-W").map(Number);
  const jan4 = Date.UTC(y, 0, 4);  // ISO week 1 is the week holding 4 January
  return jan4 - ((new Date(jan4).getUTCDay() + 6) % 7) * DAY_MS + (w - 1) * 7 * DAY_MS;
}

const FIRST_MONDAY_MS = 4 * DAY_MS;  // 1970-01-05, the first Monday of the Unix time

// A period's place on the calendar, counted in its own steps (days, weeks, months: months differ in length, so
// they are counted, not measured): neighbouring periods are one apart.
function periodIndex(label, period) {
  if (period === "month") {
    const [y, m] = label.split("-").map(Number);
    return y * 12 + m - 1;
  }
  const ms = periodStartMs(label, period);
  return period === "day" ? Math.round(ms / DAY_MS) : Math.round((ms - FIRST_MONDAY_MS) / (7 * DAY_MS));
}

// The label of the period at a place on the calendar (inverse of periodIndex).
function periodLabel(index, period) {
  if (period === "month") return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, "0")}`;
  if (period === "day") return new Date(index * DAY_MS).toISOString().slice(0, 10);
  const ms = FIRST_MONDAY_MS + index * 7 * DAY_MS;
  const d = new Date(ms);
  d.setUTCDate(d.getUTCDate() + 3);  // the Thursday of that week names its ISO year
  const year = d.getUTCFullYear();
  const jan4 = Date.UTC(year, 0, 4);
  const week1 = jan4 - ((new Date(jan4).getUTCDay() + 6) % 7) * DAY_MS;
  return `${year}-W${String(Math.round((ms - week1) / (7 * DAY_MS)) + 1).padStart(2, "0")}`;
}

/** A period as the trends page says it: a day as its date ("2026-11-27"), a week as the day it starts ("week of Sep
 * 12, 2022" in the browser's language), never as an ISO week number ("2022-W37"), a month by its name ("Nov 2026").
 * ``short`` leaves out "week of" (the chart's axis, titled "week starting"). */
function periodWords(label, period, short = false) {
  if (period === "day") return label;
  const start = new Date(periodStartMs(label, period));
  if (period === "month") return start.toLocaleDateString(undefined, { month: "short", year: "numeric", timeZone: "UTC" });
  const monday = start.toLocaleDateString(undefined, { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
  return short ? monday : `week of ${monday}`;
}

// One slot per period from the first row's (or ``fromIndex``, a period's periodIndex) to the last row's: x (0, 1,
// ...), its label, and its row or null.
function calendarSlots(rows, period, fromIndex = null) {
  const first = fromIndex ?? periodIndex(rows[0].period, period);
  const n = periodIndex(rows[rows.length - 1].period, period) - first + 1;
  const x = [], labels = [], rowAt = [];
  for (let i = 0; i < n; i++) { x.push(i); labels.push(periodLabel(first + i, period)); rowAt.push(null); }
  for (const r of rows) rowAt[periodIndex(r.period, period) - first] = r;
  return { x, labels, rowAt };
}

/** The key of a trends chart: one entry per series, in its chart's colour (``color``: a CSS variable's name without
 * its dashes) and shape, naming what it shows with its unit and axis. */
function chartKey(id, entries) {
  return `<p class="hint chart-key" id="${id}-key">${entries.map((e) => `<span class="key-item" data-series="${e.series}">
    <span class="key-${e.shape} key-${e.color}"></span>${esc(e.text)}</span>`).join(" ")}</p>`;
}

const TREND_KEYS = {
  "tr-dist": [
    { series: 1, shape: "bar", color: "accent", text: "distance (km, bars, left axis)" },
    { series: 2, shape: "line", color: "ok", text: "walking time (minutes, line, right axis)" },
  ],
  "tr-cad": [
    { series: 1, shape: "line", color: "accent", text: "cadence (steps/min, rings, left axis)" },
    { series: 2, shape: "line", color: "ok", text: "stride length (m, dots, right axis)" },
  ],
  "tr-flag": [{ series: 1, shape: "bar", color: "warn", text: "flagged strides (count, bars)" }],
};

const MIN_BAR_PX = 6;
const TREND_AXES_PX = 130;  // about what the trends charts' two y axes take of their width

// Trends open on the latest walking: this many days (weeks, months) up to the last one with a walk. One walk years
// older would otherwise stretch the axis over the years between, with today's walking a sliver at its edge.
const TREND_WINDOW = { day: 90, week: 26, month: 24 };

/** The trends rows to draw: the window of TREND_WINDOW periods ending at the last walked one (``fromIndex``: its
 * first period's periodIndex), or all of them; ``older``: the rows before the window, said and offered with "Show
 * all". */
function trendsRange(rows, period, showAll) {
  if (!rows.length) return { rows, older: [], fromIndex: null };
  const fromIndex = periodIndex(rows[rows.length - 1].period, period) - (TREND_WINDOW[period] - 1);
  const older = rows.filter((r) => periodIndex(r.period, period) < fromIndex);
  if (showAll || !older.length) return { rows, older, fromIndex: null };
  return { rows: rows.slice(older.length), older, fromIndex };
}

/** "90 days", "26 weeks" or "24 months": the span Trends opens on (TREND_WINDOW). */
const trendWindowWords = (period) => `${TREND_WINDOW[period]} ${period}s`;

function trendsRangeNote(range, all, period, showAll) {
  if (!range.older.length) return "";
  const n = range.older.reduce((k, r) => k + r.walks, 0);
  const what = `${n} older walk${n === 1 ? "" : "s"} (from ${esc(periodWords(range.older[0].period, period))})`;
  const span = trendWindowWords(period);
  return showAll
    ? `<p class="hint" id="trends-range">All your walks, ${esc(periodWords(all[0].period, period))} to ${esc(periodWords(all[all.length - 1].period, period))}.
        <button type="button" class="secondary" id="range-recent">Show the last ${span} with walks</button></p>`
    : `<p class="hint" id="trends-range">The last ${span} up to your latest walk (${esc(periodWords(all[all.length - 1].period, period))}); ${what} not shown.
        <button type="button" class="secondary" id="range-all">Show all</button></p>`;
}

/** A trends placement in words: "pocket", "lower-back", or "placement not known" (an Apple Health summary). */
const placementWords = (p) => (p === "unknown" ? "placement not known" : sensorWords(p));

/** Which walks Trends show: where the walks span two sensor placements or more, one placement's (the one asked,
 * else the usual placement, else the one with most walks) or, asked, all together; ``kinds`` the placements walked
 * with, most walks first, and ``counts`` their walks. A stride length is each placement's own model's (and
 * calibration's): over walks of two placements a change of sensor read as a change of stride (QA17: 1.45 m with a
 * pocket phone "fell" to 0.90 m with a lower-back sensor). */
function trendsPlacement(rows, asked, usual) {
  const counts = {};
  for (const r of rows) for (const [p, n] of Object.entries(r.placements || {})) counts[p] = (counts[p] || 0) + n;
  const kinds = Object.keys(counts).sort((a, b) => counts[b] - counts[a] || a.localeCompare(b));
  if (kinds.length < 2 || asked === "all") return { kinds, counts, chosen: null };
  const chosen = kinds.includes(asked) ? asked : kinds.includes(usual) ? usual : kinds[0];
  return { kinds, counts, chosen };
}

/** The placement buttons of Trends and what the figures under them are, when the walks span two placements or more. */
function trendsPlacementChoice(place) {
  if (place.kinds.length < 2) return "";
  const total = place.kinds.reduce((n, k) => n + place.counts[k], 0);
  const button = (k, words) => `<button class="${(place.chosen ?? "all") === k ? "" : "secondary"}" data-placement="${k}" aria-pressed="${(place.chosen ?? "all") === k}">${esc(words)}</button>`;
  const buttons = place.kinds.map((k) => button(k, `${placementWords(k)[0].toUpperCase()}${placementWords(k).slice(1)} (${place.counts[k]})`));
  const which = place.chosen === "unknown" ? "Walks without a known placement (Apple Health summaries)" : `Walks with a ${sensorWords(place.chosen)} sensor`;
  const note = place.chosen
    ? `<p class="hint" id="trends-placement-note">${esc(which)} only: ${place.counts[place.chosen]} of your ${total} walks. Each placement's stride length comes from its own model and calibration, so each is shown on its own.</p>`
    : `<p class="notice" id="trends-placement-note">All placements together: stride lengths of different placements come from different models and calibrations, so a change of where the sensor was worn reads as a change of stride. Choose one placement to compare like with like.</p>`;
  return `<div class="actions" id="trends-placements" role="group" aria-label="Sensor placement"><span>Sensor worn:</span> ${buttons.join(" ")} ${button("all", `All (${total})`)}</div>${note}`;
}

async function pageTrends() {
  const params = new URLSearchParams(location.hash.split("?")[1] || "");
  const period = params.get("period") || "day";
  const showAll = params.get("range") === "all";
  const [everyWalk, coaching, profile] = await pageData(Promise.all([api(`/api/trends?period=${period}`), api("/api/coaching"), api("/api/profile")]));
  const place = trendsPlacement(everyWalk, params.get("placement"), profile.placement);
  const all = place.chosen ? await pageData(api(`/api/trends?period=${period}&placement=${place.chosen}`)) : everyWalk;
  const range = trendsRange(all, period, showAll);
  const rows = range.rows;
  const said = takeSaid();  // what the button that drew the page again did ("Shown per week.")
  const go = (p, everything, words, placement = place.chosen ?? (place.kinds.length > 1 ? "all" : null)) => {
    const hash = `#/trends?period=${p}${everything ? "&range=all" : ""}${placement ? `&placement=${placement}` : ""}`;
    if (hash !== location.hash) openSaying(hash, words);
  };
  $main.innerHTML = `<h1>Trends</h1>
    <p class="hint" id="trends-own">Your own walks only: sample recordings and demo walks are not counted.
      Days, ISO weeks (Monday to Sunday) and calendar months in this computer's time; cadence and stride length are each walk's median (a foot pod's or Apple Health walk's mean) averaged over the walks,
      each weighing as many strides as it holds, an Apple Health walk its steps / 2 strides at the stride its phone reported.</p>
    <div class="actions" role="group" aria-label="Period">${["day", "week", "month"].map((p) => `<button class="${period === p ? "" : "secondary"}" id="per-${p}" aria-pressed="${period === p}">Per ${p}</button>`).join(" ")}
      <span id="trends-msg" role="status"></span></div>
    ${trendsPlacementChoice(place)}
    ${trendsRangeNote(range, all, period, showAll)}
    ${rows.length ? `
    <h2>Distance and walking time</h2>${chartKey("tr-dist", TREND_KEYS["tr-dist"])}<div class="chart" id="tr-dist"></div>
    <h2>Cadence and stride length</h2>${chartKey("tr-cad", TREND_KEYS["tr-cad"])}<div class="chart" id="tr-cad"></div>
    <h2>Flagged strides</h2>${chartKey("tr-flag", TREND_KEYS["tr-flag"])}
    ${rows.some((r) => r.flagged_strides) ? "" : `<p class="hint" id="tr-flag-none">No stride was flagged as overlong in these ${period}s (strides are flagged only while stride coaching is active).</p>`}
    <div class="chart" id="tr-flag"></div>
    <div class="table-wrap"><table id="trends-table"><thead><tr><th>${period}</th><th>Walks</th><th>Distance</th><th class="hide-narrow">Time</th><th>Cadence <span class="th-unit">(steps/min)</span></th><th>Stride <span class="th-unit">(m)</span></th><th>Flagged</th></tr></thead>
    <tbody>${rows.map((r) => `<tr><td>${esc(periodWords(r.period, period))}</td><td>${r.walks}</td><td>${fmt.dist(r.distance_m)}</td><td class="hide-narrow">${fmt.dur(r.walking_time_s)}</td>
      <td>${fmt.num(r.cadence_spm)}</td><td>${fmt.m(r.stride_length_m)}</td><td>${r.flagged_strides}</td></tr>`).join("")}</tbody></table></div>
    <p class="notice" id="not-medical-advice">${esc(coaching.not_medical_advice)}</p>`
    : `<p class="muted" id="trends-none">No walks of your own yet: <a href="#/upload">upload a recording</a> or <a href="#/live">start a live walk</a>, and its day, week and month show here.</p>`}`;
  document.getElementById("per-day").addEventListener("click", () => go("day", showAll, "Shown per day."));
  document.getElementById("per-week").addEventListener("click", () => go("week", showAll, "Shown per week."));
  document.getElementById("per-month").addEventListener("click", () => go("month", showAll, "Shown per month."));
  for (const button of document.querySelectorAll("#trends-placements button")) {
    const p = button.dataset.placement;
    button.addEventListener("click", () => go(period, showAll, p === "all" ? "All placements shown together." : `Shown for ${placementWords(p)} walks.`, p));
  }
  document.getElementById("range-all")?.addEventListener("click", () => go(period, true, "All your walks shown."));
  document.getElementById("range-recent")?.addEventListener("click", () => go(period, false, `The last ${trendWindowWords(period)} with walks shown.`));
  if (said) sayDone("trends-msg", said);
  if (!rows.length) return;
  // A calendar axis: one slot per day, ISO week or month from the first to the last, empty where nothing was walked, so a
  // gap in time shows as a gap (2024-W42 and 2026-W42 are two years apart, not neighbours).
  const cal = calendarSlots(rows, period, range.fromIndex);
  const x = cal.x;
  const labels = cal.labels.map((l) => periodWords(l, period, true));
  const at = (f) => cal.rowAt.map((r) => (r == null ? null : f(r)));
  // Ticks one label's width apart (a phone fits three or four dates, not twelve), none cut by the chart's edge.
  const labelPx = widestLabelPx(labels);
  const xAxis = {
    label: period === "week" ? "week starting" : period,
    splits: (u, axis, min, max) => {
      const dpr = devicePixelRatio || 1, left = u.bbox.left / dpr, perIndex = u.bbox.width / dpr / (max - min);
      const step = [1, 2, 3, 4, 5, 7, 10, 14, 20, 30, 50, 100, 200, 500, 1000].find((k) => k * perIndex >= labelPx + 16) || 2000;
      const x = (i) => left + (i - min) * perIndex;
      let i = 0;
      while (i < labels.length && x(i) - labelPx / 2 < 0) i += 1;
      const out = [];
      for (; i < labels.length && x(i) + labelPx / 2 <= u.width; i += step) out.push(i);
      return out;
    },
    values: (u, splits) => splits.map((v) => labels[v] || ""),
  };
  const accent = cssVar("--accent"), warn = cssVar("--warn"), ok = cssVar("--ok");
  // Bars at least MIN_BAR_PX wide (90 days on a phone leave 2 px a day: a lone day's bar was a sliver), with room for
  // half of one beyond the first and last slots (the range pads by that many slots), so none is cut by the edge.
  const plotPx = Math.max(100, chartWidth(document.getElementById("tr-dist")) - TREND_AXES_PX);
  const pad = Math.max(0.6, ((MIN_BAR_PX / 2 + 2) * x.length) / plotPx);
  const xRange = [-pad, x.length - 1 + pad];
  const bars = (color) => ({ stroke: color, fill: color + "99", paths: uPlot.paths.bars({ size: [0.6, 80, MIN_BAR_PX] }), points: { show: false } });
  // bars and the walking time from 0: a bar's height is read as the amount (auto-ranged, a day 10 % shorter than the
  // others was a sliver beside them)
  const fromZero = (u, lo, hi) => [0, hi > 0 ? hi * 1.1 : 1];
  // the charts in words (their figures are in the table below too, each period's row)
  const span = `per ${period}, ${periodWords(rows[0].period, period)} to ${periodWords(rows[rows.length - 1].period, period)}: ${countOf(rows.length, period)} with walks`;
  const sum = (f) => rows.reduce((total, r) => total + (f(r) || 0), 0);
  const spread = (f, show, unit) => {
    const v = rows.map(f).filter((x) => x != null);
    return v.length ? `${show(Math.min(...v))} to ${show(Math.max(...v))} ${unit}` : "none known";
  };
  const table = "each one's figures are in the table below";
  makeChart(document.getElementById("tr-dist"), {
    scales: { x: { time: false, range: xRange }, y: { range: fromZero }, min: { range: fromZero } },
    series: [{ label: period }, { label: "km", ...bars(accent), value: (u, v) => fmt.num(v, 2) },
      { label: "walking min", stroke: ok, width: 2, scale: "min", points: { show: true } }],
    axes: [xAxis, { label: "km" }, { side: 1, scale: "min", label: "minutes", grid: { show: false } }],
  }, [x, at((r) => (r.distance_m || 0) / 1000), at((r) => (r.walking_time_s || 0) / 60)],
  `Distance and walking time ${span}; ${fmt.dist(sum((r) => r.distance_m))} and ${fmt.durWords(sum((r) => r.walking_time_s))} in all; ${table}.`);
  makeChart(document.getElementById("tr-cad"), {
    scales: { x: { time: false, range: xRange } },
    // cadence as rings, stride length as dots drawn over them: where the two meet (one day's walking: both mid-height)
    // the dot shows inside the ring, not over it
    series: [{ label: period }, { label: "cadence", stroke: accent, width: 2, points: { show: true, size: 12, width: 2, fill: "#fff", stroke: accent } },
      { label: "stride m", stroke: ok, width: 2, scale: "m", points: { show: true, size: 6, fill: ok, stroke: ok } }],
    axes: [xAxis, { label: "steps/min" }, { side: 1, scale: "m", label: "stride (m)", grid: { show: false } }],
  }, [x, at((r) => r.cadence_spm), at((r) => r.stride_length_m)],
  `Cadence and stride length ${span}; cadence ${spread((r) => r.cadence_spm, fmt.num, "steps/min")}, stride length ${spread((r) => r.stride_length_m, fmt.m, "m")}; ${table}.`);
  makeChart(document.getElementById("tr-flag"), {
    // a y axis from 0 even with nothing flagged (an axis-less grid said nothing)
    scales: { x: { time: false, range: xRange }, y: { range: (u, lo, hi) => [0, Math.max(1, Math.ceil(hi ?? 0))] } },
    series: [{ label: period }, { label: "flagged", ...bars(warn) }],
    // an empty right axis as wide as the charts' above: the same plot width, so the dates line up with theirs
    axes: [xAxis, { label: "strides", incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000] }, { side: 1, label: " ", values: (u, splits) => splits.map(() => ""), ticks: { show: false }, grid: { show: false } }],
    // a day without a flagged stride has no bar (a zero-high bar is drawn as a red line, read as something flagged)
  }, [x, at((r) => r.flagged_strides || null)],
  `Flagged strides ${span}; ${sum((r) => r.flagged_strides)} flagged in all; ${table}.`);
}

// -- upload -----------------------------------------------------------------------------------------------------

const UPLOAD_SEND_SHARE = 0.3;  // the file's transfer's share of an upload's progress bar (routers/uploads.py STAGE_SPANS)
const PLACEMENTS = ["lower_back", "waist", "foot", "pocket", "hand", "wrist", "chest"];
// the placements a calibration factor is for: those with a stride-length model (service.models.FACTOR_PLACEMENTS)
const FACTOR_PLACEMENTS = PLACEMENTS.filter((x) => !NO_LENGTH_MODEL.includes(x));
const [SCALE_MIN, SCALE_MAX] = [0.5, 1.5];  // personal stride-length factors accepted (gait.consts.STRIDE_SCALE_RANGE)
// an Apple Health export as the Health app names it (export.zip, export.xml) and as a walker's copies of it are named:
// a browser's second download "export (1).zip", a Finder or iCloud copy "export 2.zip", "export-2024-10-18.zip",
// any name with "health" in it ("Health export.zip", "apple_health_export.zip")
const APPLE_HEALTH_NAME = /^(export( ?\(\d+\)| ?\d+|[-_ ].*)?|.*health.*)\.(zip|xml)$/i;
const AS_THE_FILE_SAYS = "file";  // the placement choice that sends none (routers/uploads.py: the file's, else the profile's)

// where no phone is carried: a phone app's export takes a pocket over such a usual placement (PHONE_PLACEMENTS,
// service/pipeline.py)
const NO_PHONE_PLACEMENTS = ["lower_back", "foot"];

/** The upload form's "as the file says" choice: what the file's header said (``said``) and the usual placement
 * the service falls back on. */
function asTheFileSays(usual, said) {
  const header = said ? ` (its header: "${said}")` : "";
  const phone = NO_PHONE_PLACEMENTS.includes(usual) ? "; a phone app's export: pocket" : "";
  return usual ? `as the file says${header}, else my usual (${usual.replace("_", " ")}${phone})` : `as the file says${header}`;
}

/** The location a GENEActiv file's header names ("Device Location Code,back"), or null; the service maps it to a
 * placement (ingest.csv_formats.geneactiv_placement). Only a plain text file's head is read. */
async function headerLocation(file) {
  try {
    const head = await file.slice(0, 16384).text();
    const m = /^Device Location Code,[ \t]*([^\r\n,]*?)[ \t]*$/m.exec(head);
    const said = m ? m[1].replace(/\0/g, "").trim() : "";
    return said || null;
  } catch (_) {
    return null;
  }
}

async function pageUpload() {
  const profile = await pageData(api("/api/profile"));
  $main.innerHTML = `<h1>Upload a recording</h1>
    <form id="upload-form" class="card">
      <div class="row"><label for="file">Recording</label>
        <input type="file" id="file" name="file" required aria-describedby="file-hint">
        <span class="hint" id="file-hint">one file: a gait CSV, a Sensor Logger or phyphox export (one file, a zip of the export folder, Sensor Logger's JSON or SQLite file or phyphox's Excel file), AndroSensor, Physics Toolbox (g-Force Meter or Multi Record), SensorLog, MetaWear (a file, or a zip of a MetaBase session), GENEActiv, Apple Health export.zip…</span></div>
      <div class="row"><label for="placement">Where was the sensor worn?</label>
        <select id="placement" name="placement" required aria-describedby="placement-hint placement-phone"><option value="" disabled ${profile.placement ? "" : "selected"}>choose…</option>
        <option value="${AS_THE_FILE_SAYS}" id="placement-file" ${profile.placement ? "selected" : ""}>${asTheFileSays(profile.placement, null)}</option>
        ${PLACEMENTS.map((p) => `<option value="${p}">${p.replace("_", " ")}</option>`).join("")}</select>
        <span class="hint" id="placement-hint">most recordings do not say where the sensor was, and stride lengths depend on it; your choice here is used, also over a location a file's header names (GENEActiv). "As the file says" takes that location, else your usual placement (profile; a phone app's export takes a pocket over a lower back or foot, where no phone is carried), and is refused when neither says (an Apple Health export needs no answer)</span>
        <span class="hint" id="placement-phone">A phone: in a trouser or jacket pocket, choose <b>pocket</b>; in a shoulder bag or handbag, <b>waist</b>;
          on an arm band, or swinging in your hand as you walk, <b>wrist</b>; held in your hand in front of you, <b>hand</b>; in a
          pouch round your neck, <b>chest</b>; in a backpack, <b>chest</b> too (the nearest: no backpack was tested). Wrist and chest
          give your cadence only, no stride length.</span></div>
      <div class="row"><label for="side">Which shoe was a foot sensor on?</label>
        <select id="side" name="side" aria-describedby="side-hint"><option value="">not said</option><option value="left">left</option><option value="right">right</option></select>
        <span class="hint" id="side-hint">foot sensors only: its steps and strides are then labelled with that side</span></div>
      <div class="row"><label for="started-at">When did you walk? <span class="hint">(used only when the file holds no start time)</span></label>
        <input type="datetime-local" id="started-at" name="started_at" aria-describedby="started-at-hint">
        <span class="hint" id="started-at-hint">when the walk started, your local time. Oxford and phyphox per-sensor files and gait CSVs counting from 0 s hold no date: without this such a walk is dated to end when uploaded</span></div>
      <div class="row"><label for="name">Name <span class="hint">(optional)</span></label><input id="name" name="name" maxlength="200"></div>
      <button type="submit" id="upload-btn">Upload and analyse</button>
      <div id="upload-progress" class="hidden"><p id="upload-stage">Sending…</p><progress id="upload-bar" max="1" value="0"></progress></div>
      <p id="upload-error" class="error" role="alert" tabindex="-1"></p>
    </form>
    <div id="upload-result" class="card hidden" role="status"></div>`;
  // Stride lengths depend on where the sensor was, and most recording formats do not say it: the form asks rather than
  // guess (a shoe sensor analysed as lower back gives plausible-looking wrong strides). An Apple Health export
  // holds daily summaries only, so it needs no answer.
  document.getElementById("file").addEventListener("change", async (e) => {
    const file = e.target.files[0];
    const select = document.getElementById("placement");
    select.required = !(file && APPLE_HEALTH_NAME.test(file.name));
    // a file whose header names the location (GENEActiv): say it, and take it unless a placement was chosen here
    const seq = state.routeSeq;
    const said = file ? await headerLocation(file) : null;
    if (!onPage(seq)) return;
    document.getElementById("placement-file").textContent = asTheFileSays(profile.placement, said);
    if (said && !select.value) select.value = AS_THE_FILE_SAYS;
  });
  document.getElementById("upload-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const form = new FormData();
    const file = document.getElementById("file").files[0];
    if (!file) return;
    form.append("file", file);
    const placement = document.getElementById("placement").value;
    // "as the file says" sends none: the service takes the file's own location, else the profile's placement
    if (placement && placement !== AS_THE_FILE_SAYS) form.append("placement", placement);
    const side = document.getElementById("side").value;
    if (side) form.append("side", side);
    const name = document.getElementById("name").value.trim();
    if (name) form.append("name", name);
    const walked = document.getElementById("started-at").value;
    const skipped = walked && skippedTimeProblem(walked);
    if (skipped) {
      const error = document.getElementById("upload-error");
      error.textContent = `Not uploaded: ${skipped}`;
      document.getElementById("started-at").focus();
      return;
    }
    if (walked) form.append("started_at", withUtcOffset(walked));
    uploadWithProgress(form);
  });
}

/** A time (ms since 1970) as a datetime-local value in this computer's local time ("2026-11-20T09:30", with
 * ``seconds`` "2026-11-20T09:30:15"): what a walker reads as their own clock's time. */
function localInputValue(ms, seconds = false) {
  return new Date(ms - new Date(ms).getTimezoneOffset() * 60000).toISOString().slice(0, seconds ? 19 : 16);
}

/** The moments (ms since 1970) a datetime-local value ("2026-11-01T01:30", or with seconds) names on this computer's
 * clock, earliest first: one; two in the hour the clocks went back (it came twice); none for a time they skipped
 * going forward. ``new Date(local)`` picks one of two silently and moves a skipped time, with another offset. */
function localMoments(local) {
  const asUtc = Date.parse(`${local}Z`);
  if (Number.isNaN(asUtc)) return [];
  const offsets = new Set([-1, 0, 1].map((d) => new Date(asUtc + d * DAY_MS).getTimezoneOffset()));
  return [...offsets].map((o) => asUtc + o * 60000).filter((ms) => new Date(ms).getTimezoneOffset() * 60000 === ms - asUtc)
    .sort((a, b) => a - b);
}

/** The moment a datetime-local value names (see localMoments): in the hour that came twice, the one on the same side
 * of the change as ``preferMs`` (the moment the box was filled with, so a time shown and saved unchanged stays
 * put), else the first; null for a time the clocks skipped. */
function localInstant(local, preferMs = null) {
  const moments = localMoments(local);
  if (preferMs != null) {
    const same = moments.find((ms) => new Date(ms).getTimezoneOffset() === new Date(preferMs).getTimezoneOffset());
    if (same != null) return same;
  }
  return moments.length ? moments[0] : null;
}

/** Why a datetime-local value names no moment: the clocks skipped it (summer time began), with the time they showed
 * instead; null when it names one (or is no date, said by the service's refusal). */
function skippedTimeProblem(local) {
  const asUtc = Date.parse(`${local}Z`);
  if (Number.isNaN(asUtc) || localMoments(local).length) return null;
  const shown = localInputValue(asUtc + new Date(asUtc - DAY_MS).getTimezoneOffset() * 60000).replace("T", " ");
  return `${local.slice(0, 16).replace("T", " ")} never happened on this computer's clock: the clocks were put forward ` +
    `then (daylight saving time began). Give the time a clock showed then: ${shown} is that moment.`;
}

/** A datetime-local value ("2026-11-20T09:30") as ISO 8601 with this computer's UTC offset at that moment
 * ("2026-11-20T09:30+01:00"; ``preferMs`` as localInstant's): the service dates the walk in UTC, the walker types
 * their own time. A time the clocks skipped is sent as typed, without offset (callers say skippedTimeProblem first). */
function withUtcOffset(local, preferMs = null) {
  const ms = localInstant(local, preferMs);
  if (ms == null) return local;  // said by the service's refusal
  const minutes = -new Date(ms).getTimezoneOffset(), abs = Math.abs(minutes);
  const two = (n) => String(n).padStart(2, "0");
  return `${local}${minutes < 0 ? "-" : "+"}${two(Math.floor(abs / 60))}:${two(abs % 60)}`;
}

/** "Jun 2019", "May – Jul 2019" or "Dec 2018 – Jan 2019": the months the walks ``started_at`` fall in. */
function monthRange(isoDates) {
  const ms = isoDates.map((d) => Date.parse(d)).filter((v) => !Number.isNaN(v));
  if (!ms.length) return "";
  const month = (v, year = true) => new Date(v).toLocaleDateString(undefined, year ? { month: "short", year: "numeric" } : { month: "short" });
  const lo = Math.min(...ms), hi = Math.max(...ms);
  if (month(lo) === month(hi)) return month(lo);
  const sameYear = new Date(lo).getFullYear() === new Date(hi).getFullYear();
  return `${month(lo, !sameYear)} – ${month(hi)}`;
}

function showUploadedWalks(walks) {
  const box = document.getElementById("upload-result");
  document.getElementById("upload-progress").classList.add("hidden");
  document.getElementById("upload-form").reset();
  const sorted = [...walks].sort((a, b) => Date.parse(a.started_at) - Date.parse(b.started_at));
  box.innerHTML = walks.length
    ? `<h2 id="upload-count">${walks.length} walks added (${esc(monthRange(walks.map((w) => w.started_at)))})</h2>
      <p class="hint">Listed among your walks by the day they were walked, not today: open them here.</p>
      <ul id="upload-walks">${sorted.map((w) => `<li><a href="#/walk/${w.id}">${esc(w.name)}</a> <span class="hint">${esc(fmt.date(w.started_at))} · ${fmt.dist(w.summary.distance_m)}</span></li>`).join("")}</ul>
      <p><a href="#/walks">All walks</a> · <a href="#/trends">Trends</a></p>`
    : `<p id="upload-count">The file was read, but it held no walk to add.</p>`;
  box.classList.remove("hidden");
  // the Upload button was disabled while sending, and focus fell to the page: it goes to what was added
  focusResult(box);
}

/** An upload that replaced the analysis of a walk uploaded before samples were kept (routers/uploads.py). */
function showReplacedWalk(r) {
  const box = document.getElementById("upload-result");
  document.getElementById("upload-progress").classList.add("hidden");
  document.getElementById("upload-form").reset();
  box.innerHTML = `<h2 id="upload-count">Walk ${r.walk_id} analysed again from this file</h2>
    <p id="upload-replaced">${esc(r.message[0].toUpperCase() + r.message.slice(1))}.</p>
    <p class="hint">It keeps its place among your walks; its samples are kept now, so "Analyse again" works on it.</p>
    <p><a href="#/walk/${r.walk_id}" id="upload-replaced-link">Open walk ${r.walk_id}</a> · <a href="#/walks">All walks</a></p>`;
  box.classList.remove("hidden");
  focusResult(box);
}

function uploadWithProgress(form) {
  const seq = state.routeSeq;
  const id = `up${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  const bar = document.getElementById("upload-bar"), stage = document.getElementById("upload-stage");
  const err = document.getElementById("upload-error"), btn = document.getElementById("upload-btn");
  err.textContent = "";
  document.getElementById("upload-result").classList.add("hidden");
  bar.value = 0;
  stage.textContent = "Sending…";
  btn.disabled = true;
  document.getElementById("upload-progress").classList.remove("hidden");
  const xhr = new XMLHttpRequest();
  let done = false;
  // One scale for the bar and its words, never going back: the transfer is the first UPLOAD_SEND_SHARE of the
  // whole (the service's stages the rest: routers/uploads.py STAGE_SPANS). The words counted the transfer alone
  // ("Sending… 96 %" over a bar a tenth full), then fell to the service's "Receiving… 0 %".
  const show = (words, overall) => {
    bar.value = Math.max(bar.value, overall);
    stage.textContent = `${words}… ${Math.round(100 * bar.value)} %`;
  };
  xhr.upload.onprogress = (e) => { if (e.lengthComputable) show("Sending", UPLOAD_SEND_SHARE * e.loaded / e.total); };
  const poll = async () => {
    if (done || !onPage(seq)) return;
    try {
      const st = await api(`/api/uploads/${id}`);
      // still receiving: the browser's own count of the bytes sent says more than the service's 0
      if (!done && st.stage !== "receiving") show(`${st.stage[0].toUpperCase()}${st.stage.slice(1)}`, st.progress);
    } catch (_) { /* not started yet */ }
    if (!done) setTimeout(poll, 300);
  };
  // The walker went on to another page while it was sent or analysed: it goes on all the same (a walk it adds is
  // listed among the walks), but its answer neither opens the walk's page from theirs nor is drawn there.
  xhr.onload = () => {
    done = true;
    if (!onPage(seq)) return;
    btn.disabled = false;
    let body = {};
    try { body = JSON.parse(xhr.responseText); } catch (_) { /* not JSON */ }
    if (xhr.status === 201) {
      bar.value = 1;
      stage.textContent = "Done.";
      const walks = body.walks || [];
      // a walk uploaded before samples were kept, replaced in place, is said here (which walk, what changed); one
      // walk opens its page; several (an Apple Health export) are said here, with their dates and links, as
      // they may be years old and nowhere near the top of the walk list
      if (body.replaced) showReplacedWalk(body.replaced);
      else if (walks.length === 1) location.hash = `#/walk/${walks[0].id}`;
      else showUploadedWalks(walks);
    } else {
      stopped("Upload refused", typeof body.detail === "string" ? body.detail : `upload failed (${xhr.status})`);
    }
  };
  // An upload that did not go through empties the progress bar (it would stay at the share reached) and says why.
  const stopped = (what, why) => {
    bar.value = 0;
    document.getElementById("upload-progress").classList.add("hidden");
    err.innerHTML = `${esc(what)}: ${withCommands(why)}`;
    // the Upload button was disabled while sending, and focus fell to the page: it goes to what is said instead
    err.focus();
  };
  xhr.onerror = () => {
    done = true;
    if (onPage(seq)) { btn.disabled = false; stopped("Upload failed", UPLOAD_CUT); }
  };
  xhr.open("POST", `/api/uploads?upload_id=${id}`);
  xhr.send(form);
  setTimeout(poll, 200);
}

// -- profile ----------------------------------------------------------------------------------------------------

async function pageProfile(redraw = false) {
  const [p, coaching, redo] = await pageData(Promise.all([api("/api/profile"), api("/api/coaching"), api("/api/walks/reanalysis")]));
  const c = p.coaching;
  $main.innerHTML = `<h1>Profile and coaching</h1>
    <form id="profile-form" class="card">
      <div class="row"><label for="height">Body height <span class="hint">(in metres or centimetres, e.g. 1.75 or 175: improves stride lengths and the default baseline)</span></label>
        <input id="height" type="text" inputmode="decimal" autocomplete="off" value="${p.body_height_m ?? ""}" placeholder="e.g. 1.75 or 175" aria-describedby="height-read">
        <span class="hint" id="height-read" aria-live="polite"></span></div>
      <div class="row"><label for="pf-placement">Usual sensor placement</label>
        <select id="pf-placement"><option value="">not set</option>
        ${PLACEMENTS.map((x) => `<option value="${x}" ${p.placement === x ? "selected" : ""}>${x.replace("_", " ")}</option>`).join("")}</select></div>
      <h2>Calibration factors</h2>
      <p class="hint" id="scales-help">One factor per sensor placement. It multiplies the stride lengths (and so the distance) of walks with the sensor there, and of no other walk: 1.05 means your strides are 5 % longer than the model says. A walk of known distance (at least ${coaching.calibration_walk_good_m} m at your usual pace) fits one: "Calibrate" on its page (or <code>gait calibrate</code>). Empty: no factor, the model's own lengths. Sample and demo walks never use your factors.
        <span id="scales-cadence-only">A ${NO_LENGTH_MODEL.map((x) => x.replace("_", " ")).join(" or ")} sensor has no factor: it gives cadence only, no stride length to scale.</span></p>
      <div class="table-wrap"><table id="scales-table"><thead><tr><th>Sensor placement</th><th>Factor <span class="hint">(${SCALE_MIN}–${SCALE_MAX})</span></th><th><span class="visually-hidden">Remove</span></th></tr></thead><tbody>
        ${FACTOR_PLACEMENTS.map((x) => `<tr data-placement="${x}"><td><label for="scale-${x}">${x.replace("_", " ")}</label></td>
          <td><input id="scale-${x}" class="scale" data-placement="${x}" type="text" inputmode="decimal" autocomplete="off" value="${p.stride_scales?.[x] ?? ""}" placeholder="none"></td>
          <td>${p.stride_scales?.[x] != null ? `<button type="button" class="remove-scale" data-placement="${x}">Remove</button>` : ""}</td></tr>`).join("")}
      </tbody></table></div>
      <h2>Stride coaching</h2>
      <p class="notice" id="not-medical-advice">${esc(p.not_medical_advice)}</p>
      <div class="row inline"><input id="coach-on" type="checkbox" ${c.enabled ? "checked" : ""}><label for="coach-on">Coach my stride after back pain (opt-in)</label></div>
      <div class="row"><label for="reduction">Target: shorter than my usual stride by <span id="reduction-val">${Math.round(c.reduction * 100)}</span> %</label>
        <input id="reduction" type="range" min="3" max="20" step="1" value="${Math.round(c.reduction * 100)}"></div>
      <div class="row"><label for="tolerance">Tolerance before a stride is flagged <span class="hint">(m)</span></label>
        <input id="tolerance" type="text" inputmode="decimal" autocomplete="off" value="${c.tolerance_m}"></div>
      <div class="row inline"><input id="audio" type="checkbox" ${c.audio_cue ? "checked" : ""}><label for="audio">Beep on a cue in the live view</label></div>
      <p class="hint" id="coaching-from-now">${esc(COACHING_FROM_NOW)}</p>
      <button type="submit">Save</button> <span id="profile-msg" role="status"></span>
    </form>
    ${redo.out_of_date ? `<div class="card" id="reanalyse-all"><h2>Walks to analyse again</h2>
      <p id="reanalyse-all-why">${reanalyseAllWhy(redo)} ${redo.out_of_date === 1 ? "Its samples are kept on this computer: analyse it again to get this version's figures, judged" : "Their samples are kept on this computer: analyse them again to get this version's figures, each judged"} by the coaching plan of its day with your pain reports as they are now.${redo.out_of_date_without_samples ? ` ${withoutSamplesWords(redo.out_of_date_without_samples)}` : ""}</p>
      <button type="button" id="reanalyse-all-btn">${redo.out_of_date === 1 ? "Analyse it again" : `Analyse all ${redo.out_of_date} again`}</button> <span id="reanalyse-all-msg" role="status"></span>
      <ul id="reanalyse-all-results"></ul></div>` : ""}
    <div class="card" id="your-data"><h2>Your data</h2>
      <p id="export-what">One ZIP file with all your own walks (a table of them and each walk's strides), your pain reports and this profile, as CSV and JSON files a spreadsheet or a physiotherapist can open (a README inside says what each holds; sample and demo walks are left out).</p>
      <div class="row inline"><input id="export-samples" type="checkbox"><label for="export-samples">Include the raw sensor samples of each walk (a larger file: for a year of walks, a few minutes of downloading)</label></div>
      <a class="btn" id="export-all" href="/api/export" download>Export all my data</a></div>
    <div class="card" id="plan-now"><h2>Plan now</h2>${planReasons(coaching.plan, coaching.plan.reasons, "plan-now-reasons")}</div>
    <div class="card tips" id="tips"><h2>Tips</h2><ul>${coaching.tips.map((t) => `<li><strong>${esc(t.title)}.</strong> ${esc(t.text)}</li>`).join("")}</ul></div>`;
  const red = document.getElementById("reduction");
  red.addEventListener("input", () => { document.getElementById("reduction-val").textContent = red.value; });
  // the height as it will be saved, in metres, under the box while typing ("175" reads "= 1.75 m")
  const heightBox = document.getElementById("height"), heightRead = document.getElementById("height-read");
  heightBox.addEventListener("input", () => {
    const height = parseHeight(heightBox.value);
    heightRead.className = height.error ? "hint error" : "hint";
    heightRead.textContent = height.error || (height.m != null && String(height.m) !== heightBox.value.trim() ? `= ${height.m.toFixed(2)} m` : "");
  });
  const form = document.getElementById("profile-form");
  const msg = document.getElementById("profile-msg");
  const save = async (done) => {
    const seq = state.routeSeq;
    // the last save's word goes at once: a "Saved." still showing would answer for a save that is refused
    msg.className = ""; msg.textContent = "";
    // only the fields changed on this page are sent, each with the value the page showed: a calibration or another
    // tab's save since the page was drawn is kept, and a field changed both here and there is refused, not overwritten
    const changes = {}, seen = {};
    const changed = (key, value, shown, entry) => {
      if (value === (shown ?? null)) return;
      if (entry === undefined) { changes[key] = value; seen[key] = shown ?? null; return; }
      (changes[key] ??= {})[entry] = value; (seen[key] ??= {})[entry] = shown ?? null;
    };
    const height = parseHeight(document.getElementById("height").value);
    const refused = height.error ? { id: "height", words: height.error } : profileNumberProblem();
    if (refused) {
      msg.className = "error"; msg.textContent = refused.words;
      document.getElementById(refused.id).focus();
      return;
    }
    const num = (id) => readDecimal(document.getElementById(id).value);
    changed("body_height_m", height.m, p.body_height_m);
    changed("placement", document.getElementById("pf-placement").value || null, p.placement);
    for (const input of document.querySelectorAll("input.scale")) {
      changed("stride_scales", num(input.id), p.stride_scales?.[input.dataset.placement], input.dataset.placement);
    }
    changed("coaching", document.getElementById("coach-on").checked, c.enabled, "enabled");
    // the slider shows whole percent: a stored 12.5 % is changed only when the slider is moved
    if (Number(red.value) !== Math.round(c.reduction * 100)) changed("coaching", Number(red.value) / 100, c.reduction, "reduction");
    changed("coaching", num("tolerance") ?? 0.05, c.tolerance_m, "tolerance_m");
    changed("coaching", document.getElementById("audio").checked, c.audio_cue, "audio_cue");
    try {
      if (Object.keys(changes).length) await api("/api/profile", { method: "PATCH", json: { changes, seen } });
      if (!onPage(seq)) return;
      // the page is drawn again from what was stored (the plan and re-analysis offers may change), then says so:
      // the word stays, where it used to vanish with the redraw 0.6 s later
      await pageProfile(true);
      // a walker who lowers the target expects the stored walks' flags to follow: they do not until analysed again
      const coachingWords = ["enabled", "reduction", "tolerance_m"].some((k) => k in (changes.coaching || {})) ? ` ${COACHING_FROM_NOW}` : "";
      sayDone("profile-msg", Object.keys(changes).length ? `${done}${coachingWords}` : "Nothing changed: nothing to save.");
    } catch (err) { msg.className = "error"; msg.textContent = err.message; }
  };
  form.addEventListener("submit", (e) => { e.preventDefault(); save("Saved."); });
  if (!redraw && new URLSearchParams(location.hash.split("?")[1] || "").get("to") === "tips") document.getElementById("tips").scrollIntoView({ block: "start" });
  bindReanalyseAll();
  const withSamples = document.getElementById("export-samples");
  withSamples.addEventListener("change", () => {
    document.getElementById("export-all").href = withSamples.checked ? "/api/export?samples=1" : "/api/export";
  });
  // Remove changes that one stored factor only (whatever else the form holds: unsaved edits stay in the form,
  // unsaved); the row shows the factor only once the store has it gone.
  for (const btn of document.querySelectorAll("button.remove-scale")) {
    btn.addEventListener("click", async () => {
      const where = btn.dataset.placement;
      const name = where.replace("_", " ");
      btn.disabled = true;
      try {
        const now = await api("/api/profile", { method: "PATCH", json: {
          changes: { stride_scales: { [where]: null } }, seen: { stride_scales: { [where]: p.stride_scales[where] } } } });
        delete p.stride_scales[where];
        document.getElementById(`scale-${where}`).value = now.stride_scales[where] ?? "";
        if (now.stride_scales[where] == null) btn.remove();
        msg.className = ""; sayDone("profile-msg", `Saved: no factor for a ${name} sensor now (nothing else saved).`);
      } catch (err) {
        enableAgain(btn);
        msg.className = "error"; msg.textContent = `The ${name} factor was not removed: ${err.message}`;
      }
    });
  }
}

const COACHING_FROM_NOW = "Coaching settings apply to your walks from now on: a stored walk keeps the target and flags it was given, as the plan of its day judged it.";
const [TOLERANCE_MIN_M, TOLERANCE_MAX_M] = [0, 0.3];  // service.models.CoachPrefs.tolerance_m

/** The profile's first box of a number that cannot be saved (a calibration factor or the tolerance), as
 * ``{id, words}`` naming the box, or null. Each is read by readDecimal ("1,05" is 1.05) and checked against the range
 * the service accepts, so that nothing is sent but the number typed. */
function profileNumberProblem() {
  const boxes = [
    ...[...document.querySelectorAll("input.scale")].map((input) => ({ input, range: [SCALE_MIN, SCALE_MAX], unit: "",
      name: `The ${input.dataset.placement.replace("_", " ")} calibration factor`, example: "1.05", empty: ", or leave the box empty for none" })),
    { input: document.getElementById("tolerance"), range: [TOLERANCE_MIN_M, TOLERANCE_MAX_M], unit: " m",
      name: "The tolerance before a stride is flagged", example: "0.05", empty: "" },
  ];
  for (const { input, range, unit, name, example, empty } of boxes) {
    const typed = input.value.trim(), n = readDecimal(typed);
    if (n === null) continue;
    const within = `from ${range[0]} to ${range[1]}${unit}`;
    if (Number.isNaN(n)) return { id: input.id, words: `${name}: "${typed}" is not a number: enter one number ${within}, e.g. ${example}${empty}.` };
    if (n < range[0] || n > range[1]) return { id: input.id, words: `${name}: ${typed}${unit} is outside what it can be: enter a number ${within}${empty}.` };
  }
  return null;
}

const [HEIGHT_MIN_M, HEIGHT_MAX_M] = [0.8, 2.5];  // body heights accepted (gait.consts.BODY_HEIGHT_RANGE_M)
const HEIGHT_EXAMPLE = "in metres or centimetres, e.g. 1.75 or 175";

/** A body height as typed: metres ("1.75", "1,75", "1.75 m") or centimetres ("175", "175 cm": a bare number from 100
 * to 250 is centimetres). ``{m}`` (null when empty), or ``{error}`` in a walker's words: feet and inches are said to be
 * so, never read as a number ("5'9"" is not 59). */
function parseHeight(raw) {
  const typed = raw.trim();
  if (!typed) return { m: null };
  const feet = /^(\d+(?:[.,]\d+)?)\s*(?:'|’|′|ft|feet|foot)\s*(?:(\d+(?:[.,]\d+)?)\s*(?:"|”|″|''|in|inch|inches)?)?$/i.exec(typed);
  if (feet) {
    const m = (readDecimal(feet[1]) * 12 + (readDecimal(feet[2]) ?? 0)) * 0.0254;
    return { error: `${typed} looks like feet and inches: enter your height ${HEIGHT_EXAMPLE} (${typed} is about ${m.toFixed(2)} m).` };
  }
  const number = /^(\d+(?:[.,]\d+)?)\s*(m|metres?|meters?|cm|centimetres?|centimeters?)?$/i.exec(typed);
  if (!number) return { error: `"${typed}" is not a height: enter it ${HEIGHT_EXAMPLE}.` };
  const value = readDecimal(number[1]);
  const cm = number[2] ? number[2].toLowerCase().startsWith("c") : value >= 100 && value <= 250;
  const m = cm ? value / 100 : value;
  if (!(m >= HEIGHT_MIN_M && m <= HEIGHT_MAX_M)) {
    return { error: `${typed} is not a body height: enter it ${HEIGHT_EXAMPLE} (from ${HEIGHT_MIN_M.toFixed(2)} to ${HEIGHT_MAX_M.toFixed(2)} m).` };
  }
  return { m: Math.round(m * 1000) / 1000 };
}

// Why walks are out of date, as the profile's "Analyse all N again" card says it: each kind of reason the API
// counts (out_of_date_by_reason), in its own words (a walk may have several).
const OUT_OF_DATE_WORDS = {
  version: "analysed by an earlier version",
  height: "analysed with another body height than your profile's now",
  factor: "analysed with another calibration factor than your profile's now",
  mixed_baseline: "judged against a personal baseline that took in your walks with the sensor at other placements too (now each placement has its own)",
  pain: "judged by a coaching plan that a pain report added or deleted since changes (a report for an earlier date, or one the plan rested on)",
  deleted_walk: "judged by a coaching plan that rested on a walk you deleted since (in its baseline or its count of pain-free walks)",
  date: "judged by a coaching plan that a changed walk date changes (the walk's own date, or that of a walk its plan counted or can count now)",
};

// The out-of-date walks uploaded before samples were kept, which "Analyse all" cannot do: one, or several.
function withoutSamplesWords(n) {
  return n === 1
    ? "1 more cannot be: it was uploaded before samples were kept (upload its file again: it replaces that walk's analysis, keeping its pain reports)."
    : `${n} more cannot be: they were uploaded before samples were kept (upload their files again: each replaces its walk's analysis, keeping its pain reports).`;
}

function reanalyseAllWhy(redo) {
  const n = redo.out_of_date, by = redo.out_of_date_by_reason || {};
  // an earlier version: say what changed since (GET /api/walks/reanalysis version_changes), not a version number
  const changes = (redo.version_changes || []).filter((c) => c.walks > 0).map((c) => c.change);
  const words = changes.length
    ? { ...OUT_OF_DATE_WORDS, version: `analysed before this version's change${changes.length === 1 ? "" : "s"}: ${esc(changes.join("; "))}` }
    : OUT_OF_DATE_WORDS;
  const kinds = Object.keys(words).filter((k) => by[k]);
  const was = (k) => (k === 1 ? "was" : "were");
  const spanIds = { pain: "reanalyse-all-pain", deleted_walk: "reanalyse-all-deleted-walk" };
  const span = (kind, text) => (spanIds[kind] ? `<span id="${spanIds[kind]}">${text}</span>` : text);
  if (!kinds.length) return `${n} walk${n === 1 ? " is" : "s are"} out of date.`;
  if (kinds.length === 1) return `${span(kinds[0], `${n} walk${n === 1 ? "" : "s"} ${was(n)} ${words[kinds[0]]}`)}.`;
  return `${n} walks are out of date: ${kinds.map((k) => span(k, `${by[k]} of them ${was(by[k])} ${words[k]}`)).join("; ")}.`;
}

function bindReanalyseAll() {
  const btn = document.getElementById("reanalyse-all-btn");
  if (!btn) return;
  btn.addEventListener("click", async () => {
    const msg = document.getElementById("reanalyse-all-msg"), list = document.getElementById("reanalyse-all-results");
    const seq = state.routeSeq;
    btn.disabled = true;
    msg.className = ""; msg.textContent = "Analysing…";
    try {
      const batch = await api("/api/walks/reanalyse", { method: "POST" });
      if (!onPage(seq)) return;
      btn.remove();
      // what made them out of date no longer holds for those analysed again: the card keeps only the outcome
      document.getElementById("reanalyse-all-why")?.remove();
      msg.textContent = `${batch.reanalysed} walk${batch.reanalysed === 1 ? "" : "s"} analysed again${batch.failed ? `, ${batch.failed} could not be` : ""}.`;
      // each walk told apart from another of its name (two uploads of "Accelerometer.csv"): its date and sensor
      const which = (r) => [r.started_at && fmt.date(r.started_at), r.placement && `${sensorWords(r.placement)} sensor`].filter(Boolean).join(", ");
      list.innerHTML = batch.results.map((r) => `<li><a href="#/walk/${r.walk_id}">${esc(r.name || `walk ${r.walk_id}`)}</a>${which(r) ? ` (${esc(which(r))})` : ""}: ${r.ok ? esc(reanalysisChange(r)) : `<span class="error">${esc(r.error)}</span>`}</li>`).join("");
    } catch (err) {
      enableAgain(btn);
      msg.className = "error"; msg.textContent = err.message;
    }
  });
}

// -- pain -------------------------------------------------------------------------------------------------------

async function pagePain() {
  const seq = state.routeSeq;
  const preselect = new URLSearchParams(location.hash.split("?")[1] || "").get("walk");
  const [reports, listed, redo] = await pageData(Promise.all([api("/api/pain"), api("/api/walks?limit=50"), api("/api/walks/reanalysis")]), seq);
  // the walk a walk page links from, even when older than the 50 listed
  if (preselect && !listed.some((w) => String(w.id) === preselect)) {
    try { listed.push(await api(`/api/walks/${encodeURIComponent(preselect)}`)); } catch (err) { /* gone: not offered */ }
    await pageData(null, seq);  // the walker may have gone on meanwhile
  }
  const names = Object.fromEntries(listed.map((w) => [w.id, w.name]));
  const walks = listed.filter((w) => !w.demo);  // pain is reported for the walker's own walks
  $main.innerHTML = `<h1>Back pain</h1>
    <form id="pain-form" class="card" novalidate>
      <div class="row"><label for="score">Pain now or during the walk: <span id="score-val">3</span>/10</label>
        <input id="score" type="range" min="0" max="10" step="1" value="3"></div>
      <div class="row"><label for="when">When <span class="hint">(default: the end of the chosen walk, or now)</span></label><input id="when" type="datetime-local" step="1"></div>
      <div class="row"><label for="pain-walk">During which walk <span class="hint">(optional)</span></label>
        <select id="pain-walk"><option value="">none / not recorded</option>${walks.map((w) => `<option value="${w.id}" ${String(w.id) === preselect ? "selected" : ""}>${esc(w.name)} – ${esc(fmt.date(w.started_at))}</option>`).join("")}</select></div>
      <p id="pain-walk-has" class="notice hidden" role="status"></p>
      <div class="row"><label for="onset-km">It started after <span class="hint">(km into the walk: 150 m is 0.15)</span></label><input id="onset-km" type="text" inputmode="decimal" autocomplete="off"></div>
      <div class="row"><label for="onset-min">…or after <span class="hint">(minutes into the walk)</span></label><input id="onset-min" type="text" inputmode="decimal" autocomplete="off"></div>
      <div class="row"><label for="note">Note</label><input id="note" maxlength="500"></div>
      <button type="submit">Save report</button> <span id="pain-msg" role="status"></span>
    </form>
    ${replanNote(redo)}
    <h2>History</h2>
    <p id="pain-history-msg" role="status"></p>
    ${reports.length ? `<div class="table-wrap"><table id="pain-table"><thead><tr><th>When</th><th>Pain</th><th>Onset</th><th class="hide-narrow">Walk</th><th><span class="visually-hidden">Delete</span></th></tr></thead><tbody>
    ${reports.map((r) => { const walk = painWalk(r, names); return `<tr data-report="${r.id}"><td>${esc(fmt.date(r.reported_at))}${walk ? `<div class="narrow-walk hint">${walk}</div>` : ""}${r.note ? `<div class="hint pain-note">${esc(r.note)}</div>` : ""}</td><td>${r.score}/10</td>
      <td>${r.onset_distance_m != null ? fmt.dist(r.onset_distance_m) : ""} ${r.onset_time_s != null ? fmt.dur(r.onset_time_s) : ""}</td>
      <td class="hide-narrow pain-walk">${walk}</td>
      <td><button class="danger" data-del="${r.id}" data-what="${esc(painReportWords(r, names))}" aria-label="Delete the pain report ${esc(painReportWords(r, names))}">Delete</button></td></tr>`; }).join("")}</tbody></table></div>` : `<p class="muted">No reports yet.</p>`}`;
  const score = document.getElementById("score");
  score.addEventListener("input", () => { document.getElementById("score-val").textContent = score.value; });
  // Pain reported for a walk was felt on that walk: "When" starts at the walk's end (local time), not now, until
  // the walker changes it; with no walk chosen it stays empty (= now).
  const when = document.getElementById("when");
  let whenTouched = false, whenShownMs = null;  // the moment "When" was filled with (its side of a clock change)
  when.addEventListener("input", () => { whenTouched = true; });
  const walkSelect = document.getElementById("pain-walk");
  const setWhenFromWalk = () => {
    if (whenTouched) return;
    const w = walks.find((x) => String(x.id) === walkSelect.value);
    const endMs = w ? Math.min(Date.parse(w.started_at) + 1000 * ((w.summary && w.summary.duration_s) || 0), Date.now()) : null;
    whenShownMs = endMs;
    when.value = endMs == null ? "" : localInputValue(endMs, true);
  };
  walkSelect.addEventListener("change", setWhenFromWalk);
  setWhenFromWalk();
  // A walk has one point of pain (the coach counts its earliest onset once): say when the chosen walk has a report
  // already, so a second Save or a changed mind is a choice, not a silent duplicate.
  const showWalkReports = () => {
    const box = document.getElementById("pain-walk-has");
    const mine = reports.filter((r) => walkSelect.value && String(r.walk_id) === walkSelect.value);
    box.classList.toggle("hidden", !mine.length);
    if (!mine.length) { box.textContent = ""; return; }
    const words = mine.map((r) => painReportWords({ ...r, walk_id: null, walk_deleted: false }, names).replace(/^of /, ""));
    box.innerHTML = `This walk already has ${mine.length === 1 ? "a report" : `${mine.length} reports`}: ${esc(words.join("; "))}.
      The coach counts a walk once, with its earliest onset: another report of pain adds nothing unless the pain started earlier,
      and a report of no pain (0/10) for it is refused. To correct ${mine.length === 1 ? "it" : "one"}, <button type="button" class="secondary" data-del-from-form="${mine[0].id}">delete ${mine.length === 1 ? "it" : "the latest"}</button> first.`;
    box.querySelector("button").addEventListener("click", () => document.querySelector(`button[data-del="${mine[0].id}"]`)?.click());
  };
  walkSelect.addEventListener("change", showWalkReports);
  showWalkReports();
  for (const b of document.querySelectorAll("button[data-del]")) {
    b.addEventListener("click", async () => {
      // asked as Delete walk asks: a report gone is gone from the plan too (ids are never reused, so a stale list
      // deletes at most the report it shows)
      if (!confirm(`Delete the pain report ${b.dataset.what}?`)) return;
      const seq = state.routeSeq;
      try { await api(`/api/pain/${b.dataset.del}`, { method: "DELETE" }); } catch (err) {
        if (!(err instanceof ApiError && err.status === 404)) {
          const msg = document.getElementById("pain-msg");
          if (onPage(seq)) { msg.className = "error"; msg.textContent = `The report was not deleted: ${err.message}`; }
          return;
        }
      }
      if (onPage(seq)) { await pagePain(); sayDone("pain-history-msg", `Deleted the pain report ${b.dataset.what}.`); }
    });
  }
  document.getElementById("pain-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const v = (id) => document.getElementById(id).value;
    const msg = document.getElementById("pain-msg");
    msg.className = ""; msg.textContent = "";
    const body = { score: Number(score.value), note: v("note") || null };
    if (v("when")) {
      const skipped = skippedTimeProblem(v("when"));
      if (skipped) { msg.className = "error"; msg.textContent = skipped; when.focus(); return; }
      const ms = localInstant(v("when"), whenShownMs);
      body.reported_at = new Date(ms ?? Date.parse(v("when"))).toISOString();
    }
    if (v("pain-walk")) body.walk_id = Number(v("pain-walk"));
    const problem = onsetProblem(document.getElementById("onset-km"), document.getElementById("onset-min"));
    if (problem) { msg.className = "error"; msg.textContent = problem.words; problem.input.focus(); return; }
    const [km, minutes] = [readDecimal(v("onset-km")), readDecimal(v("onset-min"))];
    if (km !== null) body.onset_distance_m = km * 1000;
    if (minutes !== null) body.onset_time_s = minutes * 60;
    const seq = state.routeSeq;
    try {
      const saved = await api("/api/pain", { method: "POST", json: body });
      if (!onPage(seq)) return;  // saved all the same: the pain page lists it when opened
      // the form starts afresh (no walk, no time): a second press of Save must not store the same report again
      if (location.hash !== "#/pain") history.replaceState(null, "", "#/pain");
      await pagePain();
      // a report too old to plan from is kept, and says so: the walk-length plan does not change
      sayDone("pain-msg", saved.too_old_to_plan ? `Saved. ${saved.too_old_to_plan}` : "Saved.");
    } catch (err) {
      msg.className = "error";
      // "0.09" typed as "90" (metres): refused as beyond the walk's end; say the box's unit with the number to type
      const w = walks.find((x) => String(x.id) === v("pain-walk")), walked = w && w.summary && w.summary.distance_m;
      const typed = v("onset-km").trim(), n = readDecimal(typed);
      const asMetres = err instanceof ApiError && err.status === 422 && walked && n && n * 1000 > walked && n <= walked;
      msg.textContent = asMetres ? `${err.message} The box takes kilometres: if you meant ${typed} metres, enter ${+(n / 1000).toFixed(3)}.` : err.message;
    }
  });
}

// The onset boxes ask for kilometres and minutes into the walk, up to the API's limits (models.PainCreate: 100 km,
// a day). A number no walk reaches was most likely typed in metres or seconds: said with the number to type, before
// anything is sent (the API would name its field and its limit in metres).
const ONSET_BOXES = [
  { id: "onset-km", max: 100, unit: "km", what: "a distance", example: "1.5", big: (t, n) => `${t} km is further than any walk: the box takes kilometres. If you meant ${t} metres, enter ${+(n / 1000).toFixed(3)}.` },
  { id: "onset-min", max: 24 * 60, unit: "minutes", what: "a time", example: "25", big: (t, n) => `${t} minutes is more than a day: the box takes minutes. If you meant ${t} seconds, enter ${+(n / 60).toFixed(1)}.` },
];

/** The first onset box holding what cannot be sent, with what to say (``{input, words}``), or null. A decimal comma
 * reads as a decimal point ("0,8" km is 800 m). */
function onsetProblem(...inputs) {
  for (const input of inputs) {
    const box = ONSET_BOXES.find((b) => b.id === input.id), typed = input.value.trim(), n = readDecimal(typed);
    if (n === null) continue;
    if (Number.isNaN(n)) return { input, words: `"${typed}" is not ${box.what}: enter the ${box.unit} into the walk as one number, e.g. ${box.example}.` };
    if (n < 0) return { input, words: `${typed} ${box.unit}? It cannot be below 0: enter the ${box.unit} into the walk, or leave the box empty.` };
    if (n > box.max) return { input, words: box.big(typed, n) };
  }
  return null;
}

// A report for an earlier date (or one deleted) changes the plan that walks made after it were judged by: they keep
// the plan they showed (their history) until analysed again, and the pain page says so where the report is made.
function replanNote(redo) {
  const n = redo.out_of_date_plan_changed || 0;
  if (!n) return "";
  const one = n === 1;
  return `<p class="notice" id="pain-replan">${n} walk${one ? "" : "s"} may be judged differently now that a pain report was added or
    deleted: press “${redo.out_of_date === 1 ? "Analyse it again" : `Analyse all ${redo.out_of_date} again`}” on <a href="#/profile">your profile</a>, or open ${one ? "the walk" : "a walk"}
    (${one ? "its page says" : "their pages say"} so) and press “Analyse again”.</p>`;
}

/** The walk a pain report was made for, as the history table shows it (in its Walk column, and under the date on a
 * phone, where that column is hidden): a link to the walk, "walk deleted" when that walk was deleted since, or nothing
 * for a report made without a walk. */
function painWalk(r, names) {
  if (r.walk_id) return `<a href="#/walk/${r.walk_id}">${esc(names[r.walk_id] || `walk ${r.walk_id}`)}</a>`;
  return r.walk_deleted ? `<span class="muted walk-deleted" title="the report is kept; the walk it was made for was deleted">walk deleted</span>` : "";
}

/** A pain report as the history table shows it, for the Delete question: "of 27 Nov 2026 10:00, 4/10, after 1.2 km,
 * walk “walk1”". */
function painReportWords(r, names) {
  const parts = [`of ${fmt.date(r.reported_at)}`, `${r.score}/10`];
  if (r.onset_distance_m != null) parts.push(`after ${fmt.dist(r.onset_distance_m)}`);
  if (r.onset_time_s != null) parts.push(`after ${fmt.dur(r.onset_time_s)}`);
  if (r.walk_id) parts.push(`walk “${names[r.walk_id] || r.walk_id}”`);
  else if (r.walk_deleted) parts.push("its walk deleted");
  return parts.join(", ");
}

// -- live -------------------------------------------------------------------------------------------------------

/** The recommended walk, by the Live page's Distance card, when coaching is switched on and there is one (the
 * coach prompts near its end): the figure it ends by, and the other at the usual pace when known. */
function plannedWalkLine(plan) {
  const rec = plan.recommendation;
  if (!plan.enabled || !rec) return "";
  const d = rec.walk_length_m != null ? fmt.distBoth(rec.walk_length_m) : null;
  const t = rec.walk_time_s != null ? fmt.durWords(rec.walk_time_s) : null;
  let words = d || t;
  if (d && t && rec.ends_by) words = rec.ends_by === "time" ? `${t} (about ${fmt.distBoth(rec.planned_length_m)} at your usual pace)` : `${d} (about ${fmt.durWords(rec.planned_time_s)} at your usual pace)`;
  else if (d && t) words = `${d} or ${t}, whichever comes first`;
  else if (d && rec.planned_time_s != null) words = `${d} (about ${fmt.durWords(rec.planned_time_s)} at your usual pace)`;
  return `<p class="hint" id="lv-plan">Planned walk: about ${esc(words)}, ending before your back usually starts to hurt (<a href="#/">Home</a> says why).</p>`;
}

function cueItem(c) {
  return `<li>${fmt.dur(c.t_s)}: ${esc(c.message)} <span class="hint">${esc(c.reason || "")}</span></li>`;
}

function beep() {
  if (!state.audio || state.muted) return;
  const ctx = state.audio;
  for (const [i, f] of [[0, 880], [1, 660]]) {
    const osc = ctx.createOscillator(), gain = ctx.createGain();
    osc.frequency.value = f;
    gain.gain.setValueAtTime(0.0001, ctx.currentTime + i * 0.2);
    gain.gain.exponentialRampToValueAtTime(0.4, ctx.currentTime + i * 0.2 + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, ctx.currentTime + i * 0.2 + 0.18);
    osc.connect(gain).connect(ctx.destination);
    osc.start(ctx.currentTime + i * 0.2);
    osc.stop(ctx.currentTime + i * 0.2 + 0.2);
  }
  document.body.dataset.beeps = String(Number(document.body.dataset.beeps || 0) + 1);
}

function enableAudio() {
  const Ctx = window.AudioContext || window.webkitAudioContext;
  if (!Ctx) return;
  if (!state.audio) state.audio = new Ctx();
  state.audio.resume();
  showSound();
}

/** The live page's sound button says what a cue does now and what a tap does: sound is on once a click (Start,
 * Connect or this button) let the browser play it, unless muted here; "Sound off in profile" when cues are silent
 * there. It said "Enable sound" while the cues already beeped, and could not mute them mid-walk. */
function showSound() {
  const button = document.getElementById("sound");
  if (!button || button.disabled) return;
  const on = !!state.audio && !state.muted;
  // the walker's choice outlives a reload, when browsers block sound until the page is tapped again
  if (state.audio) remember(SOUND_KEY, on ? "on" : "off");
  const wasOn = !state.audio && recall(SOUND_KEY) === "on";
  button.textContent = on ? "Sound on (tap to mute)"
    : wasOn ? "Sound was on: tap to turn it on again (the browser needs a tap after a reload)" : "Sound off (tap to turn on)";
  button.setAttribute("aria-pressed", String(on));
}
const SOUND_KEY = "gait.live.sound";  // "on" or "off": the live page's sound as the walker last left it

/** Keep a small choice of the walker's in this browser (silently not, where the browser refuses storage). */
function remember(key, value) {
  try { localStorage.setItem(key, value); } catch { /* private mode or storage full: the choice is not kept */ }
}

function recall(key) {
  try { return localStorage.getItem(key); } catch { return null; }
}

// With coaching inactive a stride's "target" is the walker's usual stride and nothing is judged: say so everywhere.
function setLiveCoachingLabels(active) {
  const label = document.getElementById("lv-target-label"), band = document.getElementById("lv-band-label");
  if (label) label.textContent = active ? "Target" : "Usual stride";
  if (band) band.textContent = active ? "target band" : "usual-stride band (coaching inactive: nothing flagged)";
  document.body.dataset.coaching = active ? "on" : "off";
}

async function pageLive() {
  const [status, profile, coaching] = await pageData(Promise.all([api("/api/live"), api("/api/profile"), api("/api/coaching")]));
  const audioWanted = profile.coaching.audio_cue;
  $main.innerHTML = `<h1>Live walk <span id="live-badge" class="badge">${status.running ? "live" : status.unclosed_walk_id != null ? UNCLOSED_BADGE : "idle"}</span></h1>
    <p class="error hidden" id="live-offline" role="alert"></p>
    <p class="notice hidden" id="live-back"></p>
    <p class="notice" id="not-medical-advice">${esc(coaching.not_medical_advice)}</p>
    <div id="live-now"></div>
    <div id="cue" class="cue" role="alert"></div>
    <p id="live-walk-link"></p>
    <p class="error hidden" id="live-link-lost" role="alert"></p>
    <div class="grid big" id="live-numbers">
      ${stat("Cadence", "–", LIVE_CADENCE_UNIT, "", "lv-cadence")}
      ${stat("Last stride", "–", "m", "", "lv-stride")}
      ${stat("Target", "–", "m", "", "lv-target")}
      ${stat("Strides", "0", "", "", "lv-strides")}
      ${stat("Flagged", "0", "", "", "lv-flagged")}
      ${stat("Distance", "–", "", "", "lv-distance")}
    </div>
    ${plannedWalkLine(coaching.plan)}
    <p id="lv-distance-note" class="hint" role="status"></p>
    <div class="actions" id="live-controls">
      <button id="stop-live" class="danger">Stop</button>
      <button id="sound" class="secondary">${audioWanted ? "Sound off (tap to turn on)" : "Sound off in profile"}</button>
      <span id="stop-msg"></span>
    </div>
    <p id="lv-coach-note" class="hint"></p>
    <p id="lv-level-note" class="hint"></p>
    <h2>Stride length, live</h2>
    <p class="hint" id="lv-legend"><span class="legend-dot dot-ok"></span>stride <span class="legend-dot dot-flag"></span>overlong <span class="legend-dot dot-unsure"></span>not trusted for coaching <span class="legend-dot dot-band"></span><span id="lv-band-label">target band</span></p>
    <div class="chart" id="chart-live"></div>
    <p class="card hint hidden" id="lv-chart-note">No strides to chart: a foot pod alone sends its cadence, speed and
      stride length about once a second, not the motion a stride is found in. The cards above show its figures.</p>
    <div class="card" id="session-card"><h2>Session</h2>
      <p id="live-state" class="hint" role="status">${status.running ? "" : "No walk is live."}</p>
      <p id="pod-line" class="hint"></p>
      <div id="sensor-status" class="sensor-status hidden" aria-live="polite">
        <span id="sensor-phase" class="badge">–</span> <strong id="sensor-name"></strong>
        <span class="hint">lost packets <span id="sensor-lost">0</span> · gaps <span id="sensor-gaps">0</span></span>
        <p id="sensor-error" class="error"></p>
      </div>
      <p id="live-msg" class="error" role="status"></p>
    </div>
    <div class="card" id="sensor-panel"><h2>Connect a sensor</h2>
      <div class="actions">
        <button id="scan-btn" type="button">Scan</button>
        <label for="scan-seconds" class="hint">for</label>
        <select id="scan-seconds"><option value="3">3 s</option><option value="5" selected>5 s</option><option value="10">10 s</option></select>
      </div>
      <div id="scan-progress" class="hidden"><p class="hint" id="scan-label">Scanning…</p><progress id="scan-bar" max="1" value="0"></progress></div>
      <p id="scan-note" class="hint">Switch the sensor on and keep it close, then scan. Foot pods (RSC), Polar straps, micro:bits and open IMU-stream sensors work.</p>
      <ul id="sensor-list" class="sensor-list" aria-label="Sensors found"></ul>
      <form id="sensor-form" autocomplete="off">
        <div class="row"><label for="sensor-target">Sensor <span class="hint">(pick one above, or type its address or name)</span></label>
          <input id="sensor-target" maxlength="200" required></div>
        <div class="row"><label for="sensor-placement">Worn at</label>
          <select id="sensor-placement">${PLACEMENTS.map((x) => `<option value="${x}" ${(profile.placement || "lower_back") === x ? "selected" : ""}>${x.replace("_", " ")}</option>`).join("")}</select></div>
        <div class="row" id="sensor-height-row"><label for="sensor-height">Sensor height <span class="hint">(cm, from the floor to the sensor; optional: measured, it makes stride lengths truer than one estimated from your body height)</span></label>
          <input id="sensor-height" type="text" inputmode="decimal" autocomplete="off" placeholder="e.g. 105" aria-describedby="sensor-height-read">
          <span class="hint" id="sensor-height-read" aria-live="polite"></span></div>
        <div class="row" id="sensor-side-row"><label for="sensor-side">Which shoe?</label>
          <select id="sensor-side"><option value="">not said</option><option value="left">left</option><option value="right">right</option></select>
          <span class="hint">its steps and strides are then labelled with that side</span></div>
        <button type="submit" id="connect-btn">Connect</button>
      </form>
      <p id="sensor-msg" class="error" role="status"></p>
    </div>
    <div class="card"><h2>Demo walk</h2>
      <div class="actions">
        <select id="demo-sample" aria-label="Sample recording">${status.samples.map((s) => `<option${s === status.default_sample ? " selected" : ""}>${esc(s)}</option>`).join("")}</select>
        <label for="demo-speed" class="hint">speed</label>
        <select id="demo-speed"><option value="1">1×</option><option value="2">2×</option><option value="5">5×</option><option value="20">20×</option></select>
        <button id="start-demo">Start demo walk</button>
      </div>
      <p class="hint">No sensor needed: the demo replays a sample recording as if a sensor were streaming it. A live walk is stored stride by stride;
        a demo replaces your earlier replay of the same sample, and one stopped before its first stride is not kept.</p>
    </div>
    <div class="card"><h2>Cues</h2><ul id="cue-list"><li class="muted">none yet</li></ul></div>`;
  document.getElementById("sound").disabled = !audioWanted;
  document.getElementById("sound").addEventListener("click", () => {
    state.muted = !!state.audio && !state.muted;  // on: mute; off or muted: sound on
    if (!state.muted) enableAudio();
    showSound();
  });
  showSound();
  document.getElementById("start-demo").addEventListener("click", async () => {
    if (audioWanted) enableAudio();
    const msg = document.getElementById("live-msg");
    msg.textContent = "";
    try {
      await api("/api/live/demo", { method: "POST", json: { sample: document.getElementById("demo-sample").value || null, speed: Number(document.getElementById("demo-speed").value) } });
      showLiveNumbers();
    } catch (err) { msg.textContent = err.message; }
  });
  document.getElementById("stop-live").addEventListener("click", async () => {
    const seq = state.routeSeq;
    try { await api("/api/live/stop", { method: "POST" }); } catch (err) { if (onPage(seq)) document.getElementById("live-msg").textContent = err.message; return; }
    // Stop is disabled once nothing is live, and focus would fall to the page's top: it stays here, saying so
    if (onPage(seq)) sayDone("stop-msg", "Stopped.");
  });
  bindSensorPanel(audioWanted);
  // until a walk says otherwise, the labels follow the plan now (a new walk is coached by it)
  setLiveCoachingLabels(coaching.plan.active);
  const accent = cssVar("--accent"), warn = cssVar("--warn"), ok = cssVar("--ok");
  const live = {
    x: [], unsure: [], len: [], flag: [], lo: [], hi: [], strides: 0, flagged: 0, distance: 0, placement: null, tol: profile.coaching.tolerance_m,
    sensor: null, phase: null, lost: 0, gaps: 0, error: null, cueTimes: [],
  };
  state.live = live;
  const chart = makeChart(document.getElementById("chart-live"), {
    scales: { x: { time: false } },
    // Lengths the coach does not judge (not trusted: a turn, a shuffle, an assumed height...) in grey.
    series: [{ label: "s" }, { label: "not trusted m", ...ringsOnly(cssVar("--muted"), 7) },
      { label: "stride m", ...pointsOnly(accent, 5) }, { label: "overlong", ...pointsOnly(warn, 8) },
      { label: "target", stroke: ok, width: 1 }, { label: "target + tol", stroke: ok, width: 1, dash: [4, 4] }],
    bands: [{ series: [5, 4], fill: cssVar("--band") }],
    axes: [{ label: "seconds" }, { label: "stride length (m)" }],
  }, [[], [], [], [], [], []], LIVE_CHART_EMPTY);
  const SERIES = ["x", "unsure", "len", "flag", "lo", "hi"];
  const draw = () => {
    chart.setData(SERIES.map((k) => live[k]));
    // the chart in words, as its latest strides stand (no live region: read when the walker comes to it)
    const shown = live.x.length, last = [...live.len].reverse().find((v) => v != null) ?? [...live.unsure].reverse().find((v) => v != null);
    const flagged = live.flag.filter((v) => v != null).length, unsure = live.unsure.filter((v) => v != null).length;
    describeChart(document.getElementById("chart-live"), shown ? `Stride length, live, the last ${countOf(shown, "stride")}: latest ${fmt.m(last)} m; ${flagged} flagged overlong (larger dots)${unsure ? `; ${unsure} not trusted for coaching (rings)` : ""}${live.lo.length && live.lo[live.lo.length - 1] != null ? `; target now ${fmt.m(live.lo[live.lo.length - 1])} m` : ""}.` : LIVE_CHART_EMPTY);
  };
  const reset = () => {
    Object.assign(live, { x: [], unsure: [], len: [], flag: [], lo: [], hi: [], cad: [], heldTarget: null, strides: 0, flagged: 0, distance: 0, lost: 0, gaps: 0, error: null, phase: null, cueTimes: [] });
    // a new walk: the link to the previous walk's page goes with its cards
    for (const id of ["sensor-error", "live-msg", "pod-line", "lv-coach-note", "lv-level-note", "live-walk-link", "lv-distance-note", "stop-msg"]) set(id, "");
    showLinkLost();
    set("lv-distance", "–");
    // a foot pod alone relabels these two cards (see the "pod" message)
    set("lv-cadence-unit", LIVE_CADENCE_UNIT); set("lv-stride-label", "Last stride");
    set("lv-strides-label", "Strides"); set("lv-strides-unit", "");
    for (const id of ["lv-flagged-box", "lv-legend"]) document.getElementById(id)?.classList.remove("hidden");
    delete document.body.dataset.pod;
    document.getElementById("chart-live").classList.remove("hidden");
    document.getElementById("lv-chart-note").classList.add("hidden");
    draw();
    for (const id of ["lv-strides", "lv-flagged"]) document.getElementById(id).textContent = "0";
    document.getElementById("cue-list").innerHTML = `<li class="muted">none yet</li>`;
  };
  // written only when the words change: a live region (the distance note, the sensor's status) rewritten with the
  // same words at every stride or state message may be read out again each time
  const set = (id, v) => {
    const el = document.getElementById(id), words = v == null ? "" : String(v);
    if (el && el.textContent !== words) el.textContent = words;
  };
  if (state.feed) state.feed.close();
  const feed = new EventSource("/api/live/feed");
  state.feed = feed;
  let hideTimer = null;
  const showCadence = () => set("lv-cadence", fmt.num(median((live.cad || []).map((c) => c.spm))));
  // The cards of one stride message: cadence, its length (flagged, or greyed when not trusted), the target.
  const showStride = (m) => {
    // the median of the last strides, as a walk's summary is a median: one stride at a turn reads 150 steps/min
    if (m.cadence_spm != null) live.cad = [...(live.cad || []), { t: m.start_s, spm: m.cadence_spm }].slice(-LIVE_CADENCE_STRIDES);
    showCadence();
    set("lv-stride", fmt.m(m.length_m));
    set("lv-target", m.target_m == null ? "–" : fmt.m(m.target_m));
    // the coach's word when this walk's distance is a guess: its prompt near the point of pain comes by time, or not
    set("lv-distance-note", m.distance_cue_note || "");
    // what the target is cut from; with no personal baseline, no target until the walk's first strides set its level
    if (m.judged_against || m.no_target_note) {
      // the coach's own reason when there is no target: a demo, no baseline for this placement, no length model
      set("lv-level-note", m.target_m == null
        ? m.no_target_note || `No target yet: ${m.judged_against} (trusted ones) set this walk's level.`
        : `Compared with ${m.judged_against}.`);
    }
    const box = document.getElementById("lv-stride-box");
    if (box) {
      box.classList.toggle("warn", !!m.overlong); box.dataset.overlong = m.overlong ? "1" : "0";
      box.classList.toggle("unsure", !m.trusted);
      box.title = m.trusted ? "" : "this length is not trusted for coaching (a turn, a shuffle, an assumed height…)";
    }
  };
  feed.addEventListener("hub", (e) => {
    const m = JSON.parse(e.data);
    const badge = document.getElementById("live-badge");
    if (!badge) return;
    // how it ended in words ("stopped by you"); a status ("complete") only from a service that does not say
    live.running = !!m.running;
    // a walk ended by the service shutting down is the walk the service went away with (see showServiceGone)
    live.shutDown = !m.running && m.end_reason === "shutdown";
    // "connecting": a sensor is looked for or connected to before its walk exists (Stop cancels that)
    badge.textContent = m.running ? "live" : m.connecting ? "connecting" : m.start_stopped ? "stopped before it started"
      : m.ended ? `ended: ${m.ended_how || m.ended}` : m.unclosed ? UNCLOSED_BADGE : "idle";
    badge.classList.toggle("live", m.running);
    // nothing to stop once no walk is live; an ended walk's cue banner goes and its stored page is one click away
    const stop = document.getElementById("stop-live");
    // a walk a full disk left open: Stop closes it once space is freed (what the error above says)
    if (stop) stop.disabled = !m.running && !m.unclosed && !m.connecting;
    // said once: the session's own error (shown by the sensor) already says it on a page opened afresh
    if (m.unclosed && !m.running && !live.error && !(m.state && m.state.error)) {
      set("live-msg", `Walk ${Number(m.walk_id)} was stopped by a full disk and is not closed yet: free some space on the disk of the gait data folder, then press Stop to close it (otherwise it is closed when the service next starts).`);
    }
    if (m.closed_now) { live.error = null; set("sensor-error", ""); set("live-msg", "The walk is closed now, from what was stored before the disk was full."); }
    // while a walk is live the cue banner's place is kept (empty between cues): a cue appearing, and going 8 s later,
    // no longer pushes the cards and Stop down and back up under the walker's thumb
    document.getElementById("cue")?.classList.toggle("armed", !!m.running);
    if (!m.running) {
      document.getElementById("cue")?.classList.remove("show");
      const refused = document.getElementById("sensor-msg");
      if (refused?.dataset.busy && !m.connecting) { refused.textContent = ""; refused.dataset.busy = ""; }
      const link = document.getElementById("live-walk-link");
      if (link && m.ended && m.discarded) {
        link.textContent = m.recorded === false ? "This walk ended before its sensor sent any data: nothing was stored." : "This demo ended before its first stride: nothing was stored.";
      } else if (link && m.ended && m.walk_id != null) {
        link.innerHTML = `<a href="#/walk/${Number(m.walk_id)}">See this walk's page</a> (its strides, charts and coaching, as stored)`;
      }
    }
    live.placement = m.placement || live.placement;
    if (m.coaching_active != null) setLiveCoachingLabels(m.coaching_active);
    if (m.running && m.walk_id !== live.walkId) {
      reset();
      live.walkId = m.walk_id;
      prefill(m.walk_id);
      // opened mid-walk: the cards show the latest stride now, not only from the next one on
      if (m.last_stride) showStride(m.last_stride);
    }
    // the distance as the walk's summary counts it: so far (last stride), or the stored figure once it ended
    const distance = m.ended ? m.distance_m : m.last_stride && m.last_stride.walk_distance_m;
    if (distance != null && m.walk_id === live.walkId) { live.distance = distance; set("lv-distance", fmt.dist(distance)); }
    // A BLE walk's hub message names its sensor (a replay's does not); it also carries the latest session state.
    if (m.sensor !== undefined && (m.sensor || m.running)) live.sensor = m.sensor;
    if (m.ended) live.phase = "ended";
    // a sensor being looked for, or a start stopped before its walk existed: the session is that sensor's, not the
    // walk before it (whose state the message may still carry)
    if (m.connecting || (m.start_stopped && !m.running)) {
      live.sensor = m.sensor || live.sensor || {};
      live.phase = m.connecting ? "connecting" : "ended";
      live.lost = 0;
      live.gaps = 0;
      showSession(null);
      return;
    }
    showSession(m.state);
  });
  // Opening the page during a walk: show the strides stored so far, then keep appending the live ones.
  const prefill = async (walkId) => {
    let c, w;
    try {
      [c, w] = await Promise.all([api(`/api/walks/${walkId}/strides?layout=columns`), api(`/api/walks/${walkId}`)]);
    } catch (_) { return; }
    if (live.walkId !== walkId || state.feed !== feed) return;  // another walk, or the walker left the page
    // a demo walk is coached as just after back pain whatever your own plan: its plan says so first
    if (w.demo && w.coaching && w.coaching.reasons && w.coaching.reasons.length) set("lv-coach-note", w.coaching.reasons[0]);
    // the cues given so far, oldest at the bottom as the live ones arrive on top
    const list = document.getElementById("cue-list");
    const firstLiveCue = live.cueTimes.length ? Math.min(...live.cueTimes) : Infinity;
    const earlier = w.cues.filter((cue) => cue.t_s < firstLiveCue).reverse();
    if (list && earlier.length) {
      if (list.querySelector(".muted")) list.innerHTML = "";
      list.insertAdjacentHTML("beforeend", earlier.map(cueItem).join(""));
    }
    if (!c.idx.length) return;
    const minConf = w.coaching && w.coaching.min_confidence != null ? w.coaching.min_confidence : 0.6;
    const trusted = (i) => c.length_m[i] != null && c.confidence[i] >= minConf;
    const firstLive = live.x.length ? live.x[0] : Infinity;
    const keep = c.start_s.map((t, i) => i).filter((i) => c.start_s[i] < firstLive);
    const old = {
      x: keep.map((i) => c.start_s[i]), len: keep.map((i) => (trusted(i) ? c.length_m[i] : null)),
      unsure: keep.map((i) => (trusted(i) ? null : c.length_m[i])),
      flag: keep.map((i) => (c.overlong[i] ? c.length_m[i] : null)), lo: keep.map((i) => c.target_m[i]),
      hi: keep.map((i) => (c.target_m[i] == null ? null : c.target_m[i] + live.tol)),
    };
    for (const k of SERIES) live[k] = old[k].concat(live[k]).slice(-150);
    // the cadence card's last strides from the first paint: the stored ones, then those streamed since (a page opened
    // mid-walk showed the one latest stride's cadence until 10 more came, and two tabs disagreed)
    const storedCad = keep.filter((i) => c.cadence_spm[i] != null).map((i) => ({ t: c.start_s[i], spm: c.cadence_spm[i] }));
    live.cad = storedCad.concat(live.cad.filter((e) => !(e.t < firstLive))).slice(-LIVE_CADENCE_STRIDES);
    showCadence();
    live.strides += keep.length;
    live.flagged += keep.filter((i) => c.overlong[i]).length;
    draw();
    set("lv-strides", live.strides);
    set("lv-flagged", live.flagged);
  };
  // A sensor's lost link, said where a walker looks (by the cards, in view on a phone, while the session card is
  // screens below): the cards are dimmed, their figures from before the link dropped, until samples flow again.
  const showLinkLost = () => {
    const lost = !!live.sensor && live.phase === "reconnecting";
    const banner = document.getElementById("live-link-lost");
    if (banner) { banner.textContent = lost ? LINK_LOST : ""; banner.classList.toggle("hidden", !lost); }
    document.getElementById("live-numbers")?.classList.toggle("stale", lost);
  };
  // Session state: the sensor's phase (connecting / streaming / reconnecting / ended), lost packets, gaps, error.
  const showSession = (st) => {
    if (st) {
      live.phase = st.phase;
      live.lost = Math.max(live.lost, st.lost_packets || 0);
      live.gaps = Math.max(live.gaps, st.gaps || 0);
      if (st.error) live.error = st.error;
    }
    showLinkLost();
    if (!live.phase) return;
    const what = live.sensor ? "Sensor" : "Demo replay";
    set("live-state", `${what}: ${live.phase}${live.gaps ? `, ${live.gaps} ${live.gaps === 1 ? "gap" : "gaps"}` : ""}`);
    const box = document.getElementById("sensor-status");
    if (!box) return;
    box.classList.toggle("hidden", !live.sensor);
    if (live.sensor) {
      const badge = document.getElementById("sensor-phase");
      set("sensor-phase", live.phase);
      badge.className = `badge phase-${live.phase}`;
      const s = live.sensor;
      set("sensor-name", s.name || s.address ? `${s.name || s.address}${s.protocol ? ` (${s.protocol})` : ""}` : "looking for the sensor…");
      set("sensor-lost", live.lost);
      set("sensor-gaps", live.gaps);
      set("sensor-error", live.error || "");
      document.body.dataset.sensorPhase = live.phase;
    } else if (live.error) {
      set("live-msg", live.error);
    }
  };
  feed.addEventListener("state", (e) => {
    const m = JSON.parse(e.data);
    if (m.sensor) live.sensor = m.sensor;
    showSession(m);
  });
  feed.addEventListener("gap", (e) => {
    const m = JSON.parse(e.data);
    live.gaps += 1;
    live.lost += m.lost_packets || 0;
    showSession(null);
  });
  feed.addEventListener("pod", (e) => {
    const m = JSON.parse(e.data);
    const parts = [`${fmt.num(m.cadence_spm)} steps/min`, `${fmt.num(m.speed_mps, 2)} m/s`];
    if (m.stride_length_m != null) parts.push(`stride ${fmt.m(m.stride_length_m)} m`);
    const alone = live.strides === 0;
    set("pod-line", `Foot pod now: ${parts.join(" · ")}${alone
      ? ". A foot pod sends these about once a second, not motion samples: this walk has no strides of its own and no stride coaching; it stores the pod's figures, averaged over the walking time as the cards show them." : ""}`);
    // A pod alone sends these aggregates, no motion samples: the cards show the walk so far as it will be stored
    // (means over the walking time; the pod's latest report alone differed from the stored walk's figures), and
    // nothing before it has walking time (its latest report would then be a figure the walk does not store).
    if (alone) {
      set("lv-cadence", fmt.num(m.walk_cadence_spm));
      set("lv-stride", fmt.m(m.walk_stride_length_m));
      set("lv-cadence-unit", "steps/min, walk so far (foot pod)");
      set("lv-stride-label", "Stride (walk so far)");
      if (m.walk_distance_m != null) set("lv-distance", fmt.dist(m.walk_distance_m));
      const box = document.getElementById("lv-stride-box");
      if (box) { box.classList.add("unsure"); box.title = "the foot pod's own stride length, averaged over the walk: not judged by the coach"; }
      document.body.dataset.pod = "1";
      // no strides to count or flag: its steps so far (as the walk stores them), not a "Strides 0" that reads as
      // nothing walked, and no stride legend over a chart it does not have
      set("lv-strides-label", "Steps");
      set("lv-strides", m.walk_steps == null ? "–" : fmt.num(m.walk_steps));
      set("lv-strides-unit", "walk so far (foot pod)");
      for (const id of ["lv-flagged-box", "lv-legend"]) document.getElementById(id)?.classList.add("hidden");
      // an empty grid would read as "no strides yet": say why there are none instead
      document.getElementById("chart-live")?.classList.add("hidden");
      document.getElementById("lv-chart-note")?.classList.remove("hidden");
    }
  });
  feed.addEventListener("stride", (e) => {
    const m = JSON.parse(e.data);
    live.strides += 1;
    if (m.overlong) live.flagged += 1;
    // the server counts the distance as the stored walk will (per bout, overlapping strides counted once)
    if (m.walk_distance_m != null) live.distance = m.walk_distance_m;
    live.x.push(m.start_s); live.flag.push(m.overlong ? m.length_m : null);
    live.len.push(m.trusted ? m.length_m : null); live.unsure.push(m.trusted ? null : m.length_m);
    // the band holds the last trusted stride's target over untrusted ones (see heldTargets)
    if (m.trusted && m.target_m != null) live.heldTarget = m.target_m;
    const lo = live.heldTarget ?? null;
    live.lo.push(lo); live.hi.push(lo == null ? null : lo + live.tol);
    const keep = 150;
    for (const k of SERIES) if (live[k].length > keep) live[k].splice(0, live[k].length - keep);
    draw();
    showStride(m);
    set("lv-strides", live.strides);
    set("lv-flagged", live.flagged);
    set("lv-distance", fmt.dist(live.distance));
  });
  feed.addEventListener("bout", (e) => {
    const m = JSON.parse(e.data);
    if (m.walk_distance_m != null) { live.distance = m.walk_distance_m; set("lv-distance", fmt.dist(live.distance)); }
  });
  feed.addEventListener("cue", (e) => {
    const m = JSON.parse(e.data);
    const cue = document.getElementById("cue");
    if (!cue) return;
    cue.textContent = m.message;
    cue.title = m.reason || "";
    cue.classList.remove("show"); void cue.offsetWidth; cue.classList.add("show");
    // a cue longer than the place kept for it (a narrow screen, large text): the place grows to it and stays so,
    // the cards move once, not with every cue
    if (cue.classList.contains("armed") && cue.offsetHeight > parseFloat(getComputedStyle(cue).minHeight)) cue.style.minHeight = `${cue.offsetHeight}px`;
    clearTimeout(hideTimer);
    hideTimer = setTimeout(() => { cue.classList.remove("show"); cue.textContent = ""; cue.title = ""; }, 8000);
    live.cueTimes.push(m.t_s);
    const list = document.getElementById("cue-list");
    if (list.querySelector(".muted")) list.innerHTML = "";
    list.insertAdjacentHTML("afterbegin", cueItem(m));
    document.body.dataset.cues = String(Number(document.body.dataset.cues || 0) + 1);
    if (audioWanted) beep();
  });
  feed.addEventListener("error", (e) => {
    // The hub's "error" events (a walk that stopped on an error) and the EventSource's own connection errors
    // arrive at the same listener; only the first carry data.
    if (e.data) {
      const m = JSON.parse(e.data);
      live.error = m.message;
      // a full disk's words (what was kept, what to do) replace the session's own "[Errno 28] ..."
      if (!live.sensor || m.disk_full || !document.getElementById("sensor-error")?.textContent) showSession(null);
      return;
    }
    set("live-state", "feed disconnected; reconnecting…");
    if (!watch) watch = setTimeout(checkService, 0);
  });
  // The service gone (stopped, crashed): the feed errors and EventSource retries quietly for ever, so a request
  // says whether the service is there. Gone: say so in the header and the page, and ask again every
  // LIVE_RETRY_MS; back: draw the page again from the service's state (a new feed, the walk now live if any).
  let watch = null;
  const checkService = async () => {
    watch = null;
    if (state.feed !== feed) return;  // left the page, or it was drawn again
    let up = false;
    try { up = (await fetch("/api/health", { cache: "no-store", signal: AbortSignal.timeout(LIVE_RETRY_MS) })).ok; } catch (_) { up = false; }
    if (state.feed !== feed) return;
    if (up && state.liveGone) { route(); return; }
    if (up && feed.readyState === EventSource.OPEN) return;  // a blip: the feed reconnected by itself
    if (up && feed.readyState === EventSource.CLOSED) { route(); return; }
    if (!up) showServiceGone();
    watch = setTimeout(checkService, LIVE_RETRY_MS);
  };
  const showServiceGone = () => {
    if (!state.liveGone) state.liveGone = { walkId: live.running || live.shutDown ? live.walkId : null, at: new Date() };
    feed.close();  // the polls above reconnect; EventSource's own retries would only repeat the error
    const badge = document.getElementById("live-badge");
    if (badge) { badge.textContent = "service stopped"; badge.classList.remove("live"); badge.classList.add("warn"); }
    document.getElementById("cue")?.classList.remove("show", "armed");
    const during = state.liveGone.walkId != null ? " The walk that was live stopped with it; the strides it stored before then are kept." : "";
    const box = document.getElementById("live-offline");
    if (box) { box.textContent = `${LIVE_GONE}${during}`; box.classList.remove("hidden"); }
    set("live-state", "The gait service has stopped: nothing is recorded or shown until it runs again.");
    for (const id of ["stop-live", "start-demo", "connect-btn", "scan-btn"]) {
      const b = document.getElementById(id);
      if (b) b.disabled = true;
    }
    document.body.dataset.service = "gone";
  };
  // drawn again after the service came back: say so, with the page of the walk it interrupted
  const gone = state.liveGone;
  state.liveGone = null;
  document.body.dataset.service = "up";
  if (gone) showServiceBack(gone, status);
}

const LIVE_RETRY_MS = 2000;
const LIVE_CHART_EMPTY = "Stride length, live: no strides yet.";
const LINK_LOST = "Sensor link lost: reconnecting… The figures below are from before it dropped, not live, until the sensor's samples flow again.";
const LIVE_GONE = "The dashboard cannot reach the gait service on this computer: it has stopped, or is not running. Start it again (gait serve); this page reconnects by itself once it is back.";

/** The live page drawn again once the service is back: say so, and where the walk it interrupted is stored. */
async function showServiceBack(gone, status) {
  const box = document.getElementById("live-back");
  if (!box) return;
  let words = `The gait service is running again (it had stopped at ${gone.at.toLocaleTimeString()}). ${status.running ? "A walk is live now." : "No walk is live."}`;
  if (gone.walkId != null) {
    try {
      await api(`/api/walks/${gone.walkId}`);
      words += ` The walk that was live is stored up to where the service stopped: <a href="#/walk/${Number(gone.walkId)}">see its page</a>.`;
    } catch (_) {
      words += " The walk that was live was not stored (it had no strides yet).";
    }
  }
  box.innerHTML = words;  // our own words, a time and a walk number
  box.classList.remove("hidden");
}

/** Whether the walker asked their system for less motion ("reduce motion"): no smooth scrolling, no blinking. */
const reducedMotion = () => window.matchMedia("(prefers-reduced-motion: reduce)").matches;

/** Once a walk starts, the cue banner and the live cards come into view: on a phone the Start and Connect buttons
 * sit below them, and the walker would otherwise see only the Cues list. */
function showLiveNumbers() {
  // down to the Stop button under the cards
  const first = document.getElementById("live-now"), cards = document.getElementById("live-controls");
  if (!first || !cards) return;
  const header = document.querySelector(".top");  // sticky: what it covers is not in view
  const topPx = header ? header.getBoundingClientRect().bottom : 0;
  const top = first.getBoundingClientRect().top, bottom = cards.getBoundingClientRect().bottom;
  if (top >= topPx && bottom <= window.innerHeight) return;  // in view already (a wide screen)
  window.scrollTo({ top: window.scrollY + top - topPx - 8, behavior: reducedMotion() ? "auto" : "smooth" });
}

// -- sensors (live page) ----------------------------------------------------------------------------------------

function signalBars(rssi) {
  const n = rssi >= -60 ? 4 : rssi >= -70 ? 3 : rssi >= -80 ? 2 : 1;
  const bars = [1, 2, 3, 4].map((i) => `<span class="bar${i <= n ? " on" : ""}"></span>`).join("");
  return `<span class="signal" title="${rssi} dBm" role="img" aria-label="signal ${n} of 4">${bars}</span>`;
}

// No Bluetooth here (503): the API's advice names its own URL for API clients; the page has the demo walk below.
function sensorMessage(err) {
  if (!(err instanceof ApiError && err.status === 503)) return err.message;
  return `${err.message.replace(/\s*Meanwhile .*$/, "")} The demo walk below works without a sensor.`;
}

function renderSensors(result) {
  const list = document.getElementById("sensor-list"), note = document.getElementById("scan-note");
  if (!list) return;
  const found = result.sensors;
  if (!found.length) {
    list.innerHTML = "";
    note.textContent = `No gait sensors found in ${result.seconds} s: switch the sensor on, bring it closer, and check that no other app (phone, watch) is connected to it.`;
    return;
  }
  note.textContent = `${found.length} sensor${found.length > 1 ? "s" : ""} found${result.virtual ? " (virtual sensors, a testing aid: they replay a sample recording)" : ""}. Pick the one you wear:`;
  list.innerHTML = found.map((s, i) => `<li><label class="sensor-row">
      <input type="radio" name="sensor" value="${esc(s.address)}" data-i="${i}">
      <span class="sensor-name">${esc(s.name || "unnamed sensor")}</span>
      <span class="hint sensor-kind">${esc(s.supports)}</span>
      <span class="sensor-signal">${signalBars(s.rssi_dbm)}<span class="hint">${s.rssi_dbm} dBm</span></span>
      <span class="hint sensor-address">${esc(s.address)}</span></label></li>`).join("");
  for (const input of list.querySelectorAll("input[name=sensor]")) {
    input.addEventListener("change", () => {
      const s = found[Number(input.dataset.i)];
      document.getElementById("sensor-target").value = s.address;
      // a foot pod that only sends RSC aggregates is worn on the shoe; another sensor picked after it is worn where
      // the walker had it before the pod's pick (it stayed foot: a chest strap was stored as a foot walk, with no
      // stride length), unless they chose a placement since
      const where = document.getElementById("sensor-placement");
      if (s.protocols.length === 1 && s.protocols[0] === "rsc") {
        if (where.value !== "foot") where.dataset.beforePod = where.value;
        where.value = "foot";
      } else if (where.dataset.beforePod) {
        where.value = where.dataset.beforePod;
        delete where.dataset.beforePod;
      }
      showSideRow();
    });
  }
}

// Only a sensor on a shoe has a side: the shoe question shows for the foot placement alone. Only a sensor at the lower
// back or waist has a height the stride lengths rest on (the pendulum model): its field shows for those alone.
function showSideRow() {
  const placement = document.getElementById("sensor-placement").value;
  const foot = placement === "foot", trunk = PENDULUM_PLACEMENTS.includes(placement);
  document.getElementById("sensor-side-row").classList.toggle("hidden", !foot);
  if (!foot) document.getElementById("sensor-side").value = "";
  document.getElementById("sensor-height-row").classList.toggle("hidden", !trunk);
  if (!trunk) {
    document.getElementById("sensor-height").value = "";
    document.getElementById("sensor-height-read").textContent = "";
  }
}

const PENDULUM_PLACEMENTS = ["lower_back", "waist"];  // gait.tracker.PENDULUM_PLACEMENTS
const [SENSOR_HEIGHT_MIN_CM, SENSOR_HEIGHT_MAX_CM] = [30, 160];  // gait.consts.SENSOR_HEIGHT_RANGE_M, in cm
const SENSOR_HEIGHT_EXAMPLE = "in centimetres from the floor to the sensor, e.g. 105";

/** A sensor height as typed in the "Sensor height" field: centimetres ("105", "105,5", "105 cm"), or metres when
 * written so ("1.05 m"). ``{m}`` (null when empty), or ``{error}`` naming the field in a walker's words: a bare number
 * that reads as metres, feet and inches, or a height out of range is said to be so, never guessed at. */
function parseSensorHeight(raw) {
  const typed = raw.trim();
  if (!typed) return { m: null };
  const field = "Sensor height";
  if (/^\d+(?:[.,]\d+)?\s*(?:'|’|′|ft|feet|foot|"|”|″|in|inch|inches)/i.test(typed)) {
    return { error: `${field}: ${typed} looks like feet or inches: enter it ${SENSOR_HEIGHT_EXAMPLE}.` };
  }
  const number = /^(\d+(?:[.,]\d+)?)\s*(cm|centimetres?|centimeters?|m|metres?|meters?)?$/i.exec(typed);
  if (!number) return { error: `${field}: "${typed}" is not a height: enter it ${SENSOR_HEIGHT_EXAMPLE}.` };
  const value = readDecimal(number[1]);
  const unit = (number[2] || "cm").toLowerCase();
  const cm = unit.startsWith("c") ? value : value * 100;
  if (!number[2] && cm >= SENSOR_HEIGHT_MIN_CM / 100 && cm <= SENSOR_HEIGHT_MAX_CM / 100) {
    return { error: `${field}: ${typed} reads as metres; the field takes centimetres: enter ${Math.round(cm * 100)} for ${typed} m.` };
  }
  if (!(cm >= SENSOR_HEIGHT_MIN_CM && cm <= SENSOR_HEIGHT_MAX_CM)) {
    return { error: `${field}: ${typed}${number[2] ? "" : " cm"} is not a height from the floor to a sensor at the lower back or waist: enter it ${SENSOR_HEIGHT_EXAMPLE} (from ${SENSOR_HEIGHT_MIN_CM} to ${SENSOR_HEIGHT_MAX_CM} cm).` };
  }
  return { m: Math.round(cm * 10) / 1000 };
}

function bindSensorPanel(audioWanted) {
  const $ = (id) => document.getElementById(id);
  showSideRow();
  $("sensor-placement").addEventListener("change", () => {
    delete $("sensor-placement").dataset.beforePod;  // the walker's own choice: a sensor picked next keeps it
    showSideRow();
  });
  // what the sensor height field reads, under it while typing ("105" reads "= 1.05 m"), or what is wrong with it
  $("sensor-height").addEventListener("input", () => {
    const height = parseSensorHeight($("sensor-height").value), read = $("sensor-height-read");
    read.className = height.error ? "hint error" : "hint";
    read.textContent = height.error || (height.m != null ? `= ${height.m.toFixed(2)} m` : "");
  });
  const scanBtn = $("scan-btn");
  scanBtn.addEventListener("click", async () => {
    const seconds = Number($("scan-seconds").value);
    const bar = $("scan-bar");
    $("sensor-msg").textContent = "";
    $("sensor-list").innerHTML = "";
    $("scan-note").textContent = "";
    scanBtn.disabled = true;
    $("scan-progress").classList.remove("hidden");
    $("scan-label").textContent = `Scanning for ${seconds} s…`;
    bar.value = 0;
    const t0 = performance.now();
    const timer = setInterval(() => { bar.value = Math.min(1, (performance.now() - t0) / (seconds * 1000)); }, 100);
    try {
      renderSensors(await api(`/api/sensors?seconds=${seconds}`));
    } catch (err) {
      const msg = $("sensor-msg");
      if (msg) msg.textContent = sensorMessage(err);
    } finally {
      clearInterval(timer);
      enableAgain(scanBtn);
      $("scan-progress")?.classList.add("hidden");
    }
  });
  $("sensor-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    if (audioWanted) enableAudio();  // a click is the gesture browsers want before sound
    const target = $("sensor-target").value.trim();
    if (!target) return;
    const btn = $("connect-btn"), msg = $("sensor-msg");
    msg.textContent = "";
    const sensorHeight = parseSensorHeight($("sensor-height").value);
    if (sensorHeight.error) {
      msg.textContent = sensorHeight.error;
      $("sensor-height").focus();
      return;
    }
    btn.disabled = true;
    btn.textContent = "Looking for the sensor…";
    try {
      const body = { target, placement: $("sensor-placement").value };
      if ($("sensor-side").value) body.side = $("sensor-side").value;
      if (sensorHeight.m != null) body.sensor_height_m = sensorHeight.m;
      await api("/api/live/sensor", { method: "POST", json: body });
      showLiveNumbers();
    } catch (err) {
      msg.textContent = sensorMessage(err);
      // "a live walk is already running": said until that walk ends (the hub's message clears it then)
      msg.dataset.busy = err instanceof ApiError && err.status === 409 ? "1" : "";
    } finally {
      btn.textContent = "Connect";
      enableAgain(btn);
    }
  });
}
