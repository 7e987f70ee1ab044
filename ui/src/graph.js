// The scope graph: users, sessions, IP addresses, devices and apps, linked
// by "in", "from" and "used", laid out by d3-force. Shared links (a NAT,
// proxy or VPN exit) are pushed to the rim and drawn dashed; the indicator
// and every node a deviation cites are highlighted. Picking a node (click,
// or Enter on it) shows what it is and its pivots.
import { forceSimulation, forceLink, forceManyBody, forceCollide, forceX, forceY, forceRadial } from "d3-force";
import { symbol, symbolCircle, symbolSquare, symbolDiamond, symbolTriangle, symbolWye } from "d3-shape";
import { svg, el, title, shorten, thousands, plural, info, widthOf, isAttack as attackKinds } from "./dom.js";

const shapes = { user: symbolCircle, session: symbolSquare, ip: symbolDiamond, device: symbolTriangle, app: symbolWye };
const kindNames = { user: "user", session: "session", ip: "IP address", device: "device", app: "app" };
const linkDistance = { in: 46, from: 60, used: 42 };
// ticks of the layout: d3-force's default cools in 300; half of them
// draw as readable a graph in half the time (the many-body force is most
// of it).
const ticks = 150;
const isAttack = (n) => attackKinds(n.deviations);

// radius of a node's symbol, by its events.
function radius(n) {
  if (n.more > 0) {
    return 9 + Math.min(6, Math.log2(1 + n.more));
  }
  return Math.min(15, 3.5 + 1.6 * Math.log2(1 + n.events));
}

export function drawGraph(box, data) {
  const nodes = data.nodes.map((n) => Object.assign({ r: radius(n) }, n));
  if (nodes.length === 0) {
    el("p", { class: "muted", text: "No events: nothing to draw." }, box);
    return;
  }
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const links = data.edges.filter((e) => byId.has(e.source) && byId.has(e.target))
    .map((e) => ({ source: e.source, target: e.target, kind: e.kind, events: e.events,
      shared: byId.get(e.source).shared || byId.get(e.target).shared }));
  // Nodes outside the indicator's part of the graph are held near the
  // middle, lest they drift off and shrink the drawing.
  const start = nodes.find((n) => n.indicator) || nodes[0];
  const next = new Map(nodes.map((n) => [n.id, []]));
  for (const l of links) {
    next.get(l.source).push(l.target);
    next.get(l.target).push(l.source);
  }
  const reached = new Set([start.id]);
  for (let queue = [start.id]; queue.length > 0;) {
    for (const id of next.get(queue.shift())) {
      if (!reached.has(id)) {
        reached.add(id);
        queue.push(id);
      }
    }
  }
  const pull = (n, base) => (n.shared ? 0 : !reached.has(n.id) ? 0.3 : n.more > 0 ? 0.12 : base);
  const width = widthOf(box, 960);
  const height = Math.round(Math.min(760, Math.max(420, 150 + nodes.length * 5)));
  const rim = Math.min(width, height) * 0.46;

  const sim = forceSimulation(nodes)
    .force("link", forceLink(links).id((n) => n.id)
      .distance((l) => (l.shared ? 160 : linkDistance[l.kind] || 50) + l.source.r + l.target.r)
      .strength((l) => (l.shared ? 0.05 : 0.4)))
    .force("charge", forceManyBody().strength((n) => (n.more > 0 ? -300 : -140 - 8 * n.r)).distanceMax(600).theta(1.1))
    .force("collide", forceCollide().radius((n) => n.r + 4))
    .force("x", forceX(0).strength((n) => pull(n, 0.04)))
    .force("y", forceY(0).strength((n) => pull(n, 0.06)))
    .force("rim", forceRadial(rim, 0, 0).strength((n) => (n.shared ? 0.5 : 0)))
    .alphaDecay(1 - Math.pow(0.001, 1 / ticks)) // from alpha 1 to 0.001 in that many ticks
    .stop();
  sim.tick(ticks);
  const indicator = nodes.find((n) => n.indicator);
  if (indicator) { // the indicator in the middle
    const dx = indicator.x, dy = indicator.y;
    nodes.forEach((n) => { n.x -= dx; n.y -= dy; });
  }

  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const n of nodes) {
    x0 = Math.min(x0, n.x - n.r); x1 = Math.max(x1, n.x + n.r);
    y0 = Math.min(y0, n.y - n.r); y1 = Math.max(y1, n.y + n.r);
  }
  const pad = 70;
  const figure = svg("svg", {
    class: "graph", role: "img", width: "100%", height,
    viewBox: [x0 - pad, y0 - 24, x1 - x0 + 2 * pad, y1 - y0 + 48].map((v) => v.toFixed(1)).join(" "),
    "aria-label": `Graph of the scope: ${nodes.length} nodes, ${links.length} links`,
  }, box);
  legend(box);
  const say = info(box, "Click a node to see its pivots; hover for details.");

  const edgeLayer = svg("g", { class: "edges" }, figure);
  const edges = links.map((l) => {
    const line = svg("line", {
      class: `edge edge-${l.kind}${l.shared ? " shared" : ""}`,
      x1: l.source.x.toFixed(1), y1: l.source.y.toFixed(1), x2: l.target.x.toFixed(1), y2: l.target.y.toFixed(1),
      "stroke-width": (0.8 + Math.min(4, Math.log2(l.events))).toFixed(2),
    }, edgeLayer);
    title(line, `${l.source.label} ${l.kind} ${l.target.label}: ${thousands(l.events)} ${plural(l.events, "event", "events")}`);
    return { l, line };
  });

  // Labels for the nodes that matter most: the indicator, the shared and
  // "more" nodes, then the cited ones, then the busiest; the others on
  // hover.
  const rank = (n) => (n.indicator || n.shared || n.more > 0 ? 3 : isAttack(n) ? 2 : n.cited ? 1 : 0);
  const labelled = new Set(nodes.slice().sort((a, b) => rank(b) - rank(a) || b.events - a.events).slice(0, 18).map((n) => n.id));
  const nodeLayer = svg("g", { class: "nodes" }, figure);
  const views = nodes.map((n) => {
    const classes = ["node", `node-${n.kind}`];
    for (const flag of ["indicator", "cited", "shared"]) {
      if (n[flag]) {
        classes.push(flag);
      }
    }
    if (n.more > 0) {
      classes.push("more");
    }
    if (isAttack(n)) {
      classes.push("attack");
    }
    const g = svg("g", {
      class: classes.join(" "), transform: `translate(${n.x.toFixed(1)},${n.y.toFixed(1)})`,
      tabindex: 0, role: "button", "data-id": n.id, "aria-label": describe(n),
    }, nodeLayer);
    const size = Math.PI * n.r * n.r;
    svg("path", { d: symbol(n.more > 0 ? symbolCircle : shapes[n.kind] || symbolCircle, size)() }, g);
    title(g, describe(n));
    if (labelled.has(n.id)) {
      svg("text", { class: "label", x: 0, y: (n.r + 11).toFixed(1), "text-anchor": "middle", text: shorten(n.label, 28) }, g);
    }
    g.addEventListener("mouseenter", () => say(describe(n)));
    g.addEventListener("click", () => pick(n));
    g.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter" || ev.key === " ") {
        ev.preventDefault();
        pick(n);
      }
    });
    return { n, g };
  });

  const panel = el("div", { class: "graph-pick", hidden: "" }, box);
  function pick(n) {
    const near = new Set([n.id]);
    for (const { l, line } of edges) {
      const on = l.source.id === n.id || l.target.id === n.id;
      line.classList.toggle("near", on);
      if (on) {
        near.add(l.source.id);
        near.add(l.target.id);
      }
    }
    for (const v of views) {
      v.g.classList.toggle("picked", v.n.id === n.id);
      v.g.classList.toggle("faded", !near.has(v.n.id));
    }
    panel.replaceChildren();
    panel.removeAttribute("hidden");
    el("strong", { text: n.more > 0 ? n.label : `${kindNames[n.kind] || n.kind} ${n.label}` }, panel);
    el("span", { class: "muted", text: " " + facts(n) }, panel);
    const pivots = (data.pivots || {})[n.id] || [];
    if (pivots.length > 0) {
      const p = el("span", { class: "graph-pivots" }, panel);
      for (const link of pivots) {
        el("a", { class: "chip", href: safeURL(link.url), text: link.label }, p);
      }
    }
    say(describe(n));
  }
}

// describe is a node's one-line description.
function describe(n) {
  if (n.more > 0) {
    return `${n.label}, left out to keep the graph readable (${thousands(n.events)} events); the tables list them all`;
  }
  return `${kindNames[n.kind] || n.kind} ${n.label}: ${facts(n)}`;
}

function facts(n) {
  const parts = [];
  if (n.detail) {
    parts.push(n.detail);
  }
  if (!n.more) {
    parts.push(`${thousands(n.events)} ${plural(n.events, "event", "events")}`);
  }
  if (n.indicator) {
    parts.push("the indicator");
  }
  if (n.cited) {
    parts.push("cited by " + n.deviations.join(", "));
  }
  if (n.shared) {
    parts.push("shared link: not followed through");
  }
  return parts.join(" · ");
}

// safeURL keeps a pivot on this site: a path and query, never a scheme.
function safeURL(u) {
  const url = new URL(u, window.location.href);
  return url.origin === window.location.origin ? url.pathname + url.search : "#";
}

function legend(box) {
  const row = el("div", { class: "picture-legend" }, box);
  for (const [kind, shape] of Object.entries(shapes)) {
    const item = el("span", { class: "legend-item" }, row);
    const s = svg("svg", { class: "legend-symbol", width: 16, height: 16, viewBox: "-8 -8 16 16" }, item);
    svg("path", { d: symbol(shape, 40)() }, svg("g", { class: `node node-${kind}` }, s));
    item.appendChild(document.createTextNode(kindNames[kind]));
  }
  for (const [cls, text] of [["indicator", "indicator"], ["attack", "cited by an attack"], ["cited", "cited by another deviation"], ["shared", "shared link (NAT, proxy)"], ["more", "… and N more"]]) {
    const item = el("span", { class: "legend-item" }, row);
    const s = svg("svg", { class: "legend-symbol", width: 18, height: 18, viewBox: "-9 -9 18 18" }, item);
    svg("path", { d: symbol(symbolCircle, 80)() }, svg("g", { class: `node node-legend ${cls === "attack" ? "cited attack" : cls}` }, s));
    item.appendChild(document.createTextNode(text));
  }
}
