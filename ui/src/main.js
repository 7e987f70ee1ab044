// oktascope's pictures: the scope graph, the timeline swimlanes and the
// sign-in map. Each is drawn into an element with data-picture="graph",
// "lanes" or "map" whose data-source names the <script
// type="application/json"> element holding its data (JSON data blocks are
// not run). The pages work without this script: the tables hold the same
// facts; the pictures are drawn over them.
import { drawGraph } from "./graph.js";
import { drawLanes } from "./lanes.js";
import { drawMap } from "./map.js";
import { el } from "./dom.js";

const painters = { graph: drawGraph, lanes: drawLanes, map: drawMap };

function drawAll() {
  // The page's first layout, which measuring a box forces, is timed apart
  // from the drawing.
  const l0 = performance.now();
  document.body.getBoundingClientRect();
  document.body.setAttribute("data-layout-ms", (performance.now() - l0).toFixed(1));
  document.querySelectorAll("[data-picture]").forEach((box) => {
    const paint = painters[box.getAttribute("data-picture")];
    const source = document.getElementById(box.getAttribute("data-source") || "");
    if (!paint || !source || box.hasAttribute("data-drawn")) {
      return;
    }
    const t0 = performance.now();
    try {
      const data = JSON.parse(source.textContent);
      box.replaceChildren(); // the note shown without the script
      paint(box, data);
      box.setAttribute("data-drawn", "true");
    } catch (err) {
      box.setAttribute("data-drawn", "failed");
      el("p", { class: "picture-error", text: "This picture could not be drawn: " + err.message }, box);
    }
    box.setAttribute("data-render-ms", (performance.now() - t0).toFixed(1));
  });
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", drawAll);
} else {
  drawAll();
}
