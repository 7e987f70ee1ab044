// The sign-in map: the places the indicator's sign-ins came from (Okta's
// own geolocation of the client), on Natural Earth's land outlines bundled
// with this script (no tile server), with a line between the consecutive
// places of each user labelled with the speed it implies; impossible ones
// (faster than an airliner) in red.
import { geoNaturalEarth1, geoPath, geoGraticule10, geoInterpolate } from "d3-geo";
import { feature } from "topojson-client";
import land110m from "world-atlas/land-110m.json";
import { svg, el, title, shorten, thousands, plural, utc, info, widthOf, isAttack } from "./dom.js";

let landShape = null; // converted once

export function drawMap(box, data) {
  const places = data.places || [];
  const width = widthOf(box, 960);
  const height = Math.round(Math.min(480, width * 0.5));
  const projection = geoNaturalEarth1().fitExtent([[6, 6], [width - 6, height - 6]], { type: "Sphere" });
  const path = geoPath(projection);
  const figure = svg("svg", {
    class: "map", role: "img", width, height, viewBox: `0 0 ${width} ${height}`,
    "aria-label": `Map of ${data.signIns} sign-ins from ${places.length} ${plural(places.length, "place", "places")}`,
  }, box);
  svg("path", { class: "sphere", d: path({ type: "Sphere" }) }, figure);
  svg("path", { class: "graticule", d: path(geoGraticule10()) }, figure);
  landShape = landShape || feature(land110m, land110m.objects.land);
  svg("path", { class: "land", d: path(landShape) }, figure);
  const say = info(box, summary(data));

  const legLayer = svg("g", { class: "legs" }, figure);
  for (const leg of data.legs || []) {
    const a = places[leg.from], b = places[leg.to];
    if (!a || !b) {
      continue;
    }
    const line = { type: "LineString", coordinates: [[a.lon, a.lat], [b.lon, b.lat]] };
    const g = svg("g", { class: "leg" + (leg.impossible ? " impossible" : "") }, legLayer);
    svg("path", { d: path(line) }, g);
    const text = legText(leg, a, b);
    title(g, text);
    g.addEventListener("mouseenter", () => say(text));
    const mid = projection(geoInterpolate([a.lon, a.lat], [b.lon, b.lat])(0.5));
    if (mid) {
      svg("text", { class: "leg-label", x: mid[0].toFixed(1), y: (mid[1] - 5).toFixed(1), "text-anchor": "middle", text: speed(leg) }, g);
    }
  }

  const placeLayer = svg("g", { class: "places" }, figure);
  for (const p of places) {
    const xy = projection([p.lon, p.lat]);
    if (!xy) {
      continue;
    }
    const g = svg("g", { class: "place" + (isAttack(p.deviations) ? " flagged" : "") + (p.failed === p.signIns ? " failed" : ""), transform: `translate(${xy[0].toFixed(1)},${xy[1].toFixed(1)})`, tabindex: 0 }, placeLayer);
    svg("circle", { r: (3 + Math.min(9, 1.5 * Math.sqrt(p.signIns))).toFixed(1) }, g);
    svg("text", { class: "place-label", x: 8, y: 4, text: shorten(p.label || p.ips.join(", "), 26) }, g);
    const text = placeText(p);
    title(g, text);
    g.addEventListener("mouseenter", () => say(text));
    g.addEventListener("focus", () => say(text));
  }
}

function summary(data) {
  const parts = [`${thousands(data.signIns)} ${plural(data.signIns, "sign-in", "sign-ins")} from ${data.places.length} ${plural(data.places.length, "place", "places")}`];
  if (data.unplaced > 0) {
    parts.push(`${data.unplaced} without a geolocation`);
  }
  const impossible = (data.legs || []).filter((l) => l.impossible).length;
  if (impossible > 0) {
    parts.push(`${impossible} ${plural(impossible, "journey", "journeys")} faster than ${thousands(data.travelSpeed)} km/h`);
  }
  if (data.morePlaces > 0 || data.moreLegs > 0) {
    parts.push(`${data.morePlaces} more places and ${data.moreLegs} more journeys not drawn`);
  }
  return parts.join(" · ") + ". Hover a place or a line.";
}

function speed(leg) {
  return leg.kmPerHour < 0 ? "at once" : `${thousands(leg.kmPerHour)} km/h`;
}

function legText(leg, a, b) {
  const hours = (leg.toTime - leg.fromTime) / 3600000;
  return `${leg.user}: ${a.label || a.ips[0]} (${utc(leg.fromTime)}) → ${b.label || b.ips[0]} (${utc(leg.toTime)}): ` +
    `${thousands(leg.km)} km in ${hours < 1 ? Math.round(hours * 60) + " min" : hours.toFixed(1) + " h"}, ${speed(leg)}` +
    (leg.impossible ? " — impossible travel" : "") + (leg.trips > 1 ? ` (fastest of ${leg.trips} trips)` : "");
}

function placeText(p) {
  return `${p.label || "unnamed place"} (${p.lat.toFixed(2)}, ${p.lon.toFixed(2)}): ${p.signIns} ${plural(p.signIns, "sign-in", "sign-ins")}` +
    (p.failed ? `, ${p.failed} failed` : "") + `, ${utc(p.first)} → ${utc(p.last)} from ${p.ips.join(", ")}` +
    (p.deviations.length > 0 ? " · cited by " + p.deviations.join(", ") : "");
}
