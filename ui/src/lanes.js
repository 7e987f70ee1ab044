// The timeline's swimlanes: one lane per session (per address for flows
// without one) on a shared UTC time axis; each flow a bar coloured by its
// kind, its steps as ticks on it, deviations marked. Hovering a step shows
// it; clicking it scrolls to its row in the table below.
import { scaleUtc } from "d3-scale";
import { symbol, symbolTriangle } from "d3-shape";
import { svg, el, title, shorten, plural, utc, info, widthOf } from "./dom.js";

const kindNames = {
  signin: "Sign in to Okta", app_signin: "Sign in to an app", mfa: "MFA", sspr: "Password reset",
  ssu: "Account unlock", logout: "Logout", mfa_change: "MFA change", other: "Other",
};
const laneHeight = 28, labelWidth = 210, axisHeight = 30, minBar = 5;

export function drawLanes(box, data) {
  const lanes = data.lanes || [];
  if (lanes.length === 0) {
    el("p", { class: "muted", text: "No flows: nothing to draw." }, box);
    return;
  }
  let t0 = Infinity, t1 = -Infinity;
  for (const lane of lanes) {
    for (const f of lane.flows) {
      t0 = Math.min(t0, f.start);
      t1 = Math.max(t1, f.end);
    }
  }
  if (t1 - t0 < 60000) { // at least a minute, centred
    const mid = (t0 + t1) / 2;
    t0 = mid - 30000;
    t1 = mid + 30000;
  }
  const width = widthOf(box, 1100);
  const height = axisHeight + lanes.length * laneHeight + 8;
  const x = scaleUtc().domain([new Date(t0), new Date(t1)]).range([labelWidth + 8, width - 16]);
  const figure = svg("svg", {
    class: "lanes", role: "img", width, height, viewBox: `0 0 ${width} ${height}`,
    "aria-label": `Swimlanes: ${lanes.length} ${plural(lanes.length, "lane", "lanes")}`,
  }, box);
  legend(box, lanes);
  const say = info(box, "Hover a step to see it; click it to scroll to its row.");

  // The time axis: ticks and their labels, and a grid line for each.
  const axis = svg("g", { class: "axis" }, figure);
  const format = x.tickFormat(8);
  for (const tick of x.ticks(8)) {
    const tx = x(tick).toFixed(1);
    svg("line", { class: "grid", x1: tx, x2: tx, y1: axisHeight - 6, y2: height }, axis);
    svg("text", { x: tx, y: axisHeight - 10, "text-anchor": "middle", text: format(tick) }, axis);
  }
  svg("text", { class: "axis-note", x: 4, y: axisHeight - 10, text: `UTC, ${utc(t0).slice(0, 10)} → ${utc(t1).slice(0, 10)}` }, axis);

  lanes.forEach((lane, i) => {
    const y = axisHeight + i * laneHeight;
    const row = svg("g", { class: "lane", "data-lane": i }, figure);
    svg("rect", { class: "lane-bg" + (i % 2 ? " odd" : ""), x: 0, y, width, height: laneHeight }, row);
    const name = svg("text", { class: "lane-label", x: 6, y: y + 12, text: shorten(lane.label, 30) }, row);
    title(name, lane.label + (lane.detail ? " · " + lane.detail : ""));
    svg("text", { class: "lane-detail", x: 6, y: y + 24, text: shorten(lane.detail, 34) }, row);
    for (const f of lane.flows) {
      drawFlow(row, f, x, y, say);
    }
  });
  if (data.moreLanes > 0) {
    el("p", { class: "muted", text: `… and ${data.moreLanes} more ${plural(data.moreLanes, "lane", "lanes")} (${data.moreFlows} flows) not drawn: the table lists every flow.` }, box);
  }
}

function drawFlow(row, f, x, y, say) {
  const x0 = x(new Date(f.start)), x1 = Math.max(x(new Date(f.end)), x0 + minBar);
  const dev = f.deviations.length > 0;
  const bar = svg("rect", {
    class: `flow flow-${f.kind}${dev ? " dev" : ""}${f.complete ? "" : " incomplete"}`,
    x: x0.toFixed(1), y: y + 7, width: (x1 - x0).toFixed(1), height: laneHeight - 14, rx: 3, "data-anchor": f.anchor,
  }, row);
  const what = `${kindNames[f.kind] || f.kind}${f.user ? " · " + f.user : ""} · ${utc(f.start)} → ${utc(f.end)} · ` +
    `${f.steps.length} ${plural(f.steps.length, "step", "steps")}` +
    (dev ? " · " + f.deviations.map((d) => d.kind).join(", ") : "") + (f.complete ? "" : " · not complete");
  title(bar, what);
  bar.addEventListener("mouseenter", () => say(what + (dev ? " — " + f.deviations[0].message : "")));
  bar.addEventListener("click", () => jump(f.anchor));
  for (const s of f.steps) {
    const sx = x(new Date(s.t)).toFixed(1);
    const tick = svg("rect", {
      class: `step${s.flagged ? " flagged" : ""}${s.failed ? " failed" : ""}`, x: (sx - 1.5).toFixed(1), y: y + 5,
      width: 3, height: laneHeight - 10, tabindex: s.flagged ? 0 : undefined, "data-uuid": s.uuid,
    }, row);
    const text = `${utc(s.t, true)} · ${s.label || "(not a step of the article)"} · ${s.type}` +
      (s.outcome ? " · " + s.outcome : "") + (s.ip ? " · " + s.ip : "") + (s.flagged ? " · cited by a deviation" : "");
    title(tick, text);
    tick.addEventListener("mouseenter", () => say(text));
    tick.addEventListener("focus", () => say(text));
    tick.addEventListener("click", (ev) => { ev.stopPropagation(); jump("ev-" + s.uuid); });
    tick.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter") {
        jump("ev-" + s.uuid);
      }
    });
  }
  if (dev) { // a marker over the first step a deviation cites
    const cited = f.steps.find((s) => s.flagged) || f.steps[0];
    const mx = x(new Date(cited ? cited.t : f.start));
    const mark = svg("path", { class: "dev-mark", d: symbol(symbolTriangle, 46)(), transform: `translate(${mx.toFixed(1)},${y + 6}) rotate(180)` }, row);
    title(mark, f.deviations.map((d) => `${d.kind}: ${d.message}`).join("\n"));
  }
}

// jump scrolls to an element of the page by id and marks it for a moment.
function jump(id) {
  const target = document.getElementById(id);
  if (!target) {
    return;
  }
  target.scrollIntoView({ block: "center" });
  document.querySelectorAll(".jumped").forEach((e) => e.classList.remove("jumped"));
  target.classList.add("jumped");
}

function legend(box, lanes) {
  const kinds = new Set();
  lanes.forEach((l) => l.flows.forEach((f) => kinds.add(f.kind)));
  const row = el("div", { class: "picture-legend" }, box);
  for (const kind of Object.keys(kindNames)) {
    if (!kinds.has(kind)) {
      continue;
    }
    const item = el("span", { class: "legend-item" }, row);
    const s = svg("svg", { class: "legend-symbol", width: 18, height: 12, viewBox: "0 0 18 12" }, item);
    svg("rect", { class: `flow flow-${kind}`, x: 0, y: 1, width: 18, height: 10, rx: 2 }, s);
    item.appendChild(document.createTextNode(kindNames[kind]));
  }
  const item = el("span", { class: "legend-item" }, row);
  const s = svg("svg", { class: "legend-symbol", width: 14, height: 12, viewBox: "-7 -6 14 12" }, item);
  svg("path", { class: "dev-mark", d: symbol(symbolTriangle, 46)(), transform: "rotate(180)" }, s);
  item.appendChild(document.createTextNode("deviation"));
}
