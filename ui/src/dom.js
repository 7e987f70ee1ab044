// DOM helpers. Every text from an event is set with textContent and every
// attribute with setAttribute: nothing is ever parsed as HTML.
const SVGNS = "http://www.w3.org/2000/svg";

// svg creates an SVG element with attributes, appended to parent if given.
export function svg(tag, attrs, parent) {
  return put(document.createElementNS(SVGNS, tag), attrs, parent);
}

// el creates an HTML element with attributes, appended to parent if given.
export function el(tag, attrs, parent) {
  return put(document.createElement(tag), attrs, parent);
}

function put(node, attrs, parent) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) {
      continue;
    }
    if (k === "text") {
      node.textContent = String(v);
    } else {
      node.setAttribute(k, String(v));
    }
  }
  if (parent) {
    parent.appendChild(node);
  }
  return node;
}

// title adds a tooltip (an SVG <title>) to an SVG element.
export function title(node, text) {
  svg("title", { text }, node);
  return node;
}

// shorten cuts a label to n characters, with an ellipsis.
export function shorten(s, n) {
  s = String(s);
  return s.length > n ? s.slice(0, n - 1) + "…" : s;
}

// thousands writes an integer with thousands separators.
export function thousands(n) {
  return Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

// plural picks the noun's form for n.
export function plural(n, one, many) {
  return n === 1 ? one : many;
}

// utc writes a time (ms since the epoch) as "2025-03-03 12:00:00" in UTC.
export function utc(ms, withMillis) {
  const s = new Date(ms).toISOString().replace("T", " ");
  return withMillis ? s.slice(0, 23) : s.slice(0, 19);
}

// info is the line under a picture where hovering and selecting explain
// what is under the pointer.
export function info(container, initial) {
  const p = el("p", { class: "picture-info", "aria-live": "polite", text: initial }, container);
  return (text) => { p.textContent = text || initial; };
}

// width is the drawing width a container offers.
export function widthOf(container, fallback) {
  return Math.max(320, Math.floor(container.getBoundingClientRect().width) || fallback);
}

// Deviations that are not attacks as such: what they cite is marked, not
// singled out.
const routine = new Set(["denied", "incomplete", "out_of_order"]);

// isAttack reports whether a list of deviation kinds holds one that is an
// attack (MFA fatigue, a hijack, a takeover, impossible travel).
export function isAttack(kinds) {
  return (kinds || []).some((k) => !routine.has(k));
}
