// oktascope web UI: a small enhancement of server-rendered pages.
//
// Every view works without this script; it only
//   - loads the histogram (and any element with data-src) after the page,
//   - expands a result row to the event's JSON in place, keeping the
//     expanded rows in the URL (open=<uuid>), as the no-script links do,
//   - checks the filter while it is typed (GET /api/validate).
// It inserts only HTML rendered and escaped by the server (same origin),
// sets text with textContent, and uses no eval, no inline handlers.
(function () {
  "use strict";

  function fetchHTML(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } }).then(function (r) {
      if (!r.ok) {
        return r.text().then(function (t) { throw new Error(t || r.statusText); });
      }
      return r.text();
    });
  }

  // Fragments: <div data-src="/ui/..."> is replaced by the fragment's HTML.
  function loadFragments(root) {
    root.querySelectorAll("[data-src]").forEach(function (el) {
      var url = el.getAttribute("data-src");
      el.removeAttribute("data-src");
      el.setAttribute("aria-busy", "true");
      fetchHTML(url).then(function (html) {
        el.innerHTML = html;
        el.classList.add("loaded");
      }).catch(function (err) {
        el.textContent = "Could not load: " + err.message;
        el.classList.add("failed");
      }).finally(function () {
        el.removeAttribute("aria-busy");
      });
    });
  }

  // The URL of the current view with an event's row open or closed.
  function withOpen(uuid, open) {
    var url = new URL(window.location.href);
    var opened = url.searchParams.getAll("open").filter(function (id) { return id !== uuid; });
    if (open) {
      opened.push(uuid);
    }
    url.searchParams.delete("open");
    opened.forEach(function (id) { url.searchParams.append("open", id); });
    return url;
  }

  function detailRowOf(row) {
    var next = row.nextElementSibling;
    if (next && next.classList.contains("detail") && next.getAttribute("data-uuid") === row.getAttribute("data-uuid")) {
      return next;
    }
    return null;
  }

  function toggleRow(row) {
    var uuid = row.getAttribute("data-uuid");
    var link = row.querySelector("a.expand");
    var detail = detailRowOf(row);
    var open = !detail;
    if (detail) {
      detail.remove();
    } else {
      detail = document.createElement("tr");
      detail.className = "detail";
      detail.setAttribute("data-uuid", uuid);
      var cell = document.createElement("td");
      cell.colSpan = row.children.length;
      cell.setAttribute("data-src", row.getAttribute("data-detail"));
      cell.textContent = "Loading…";
      detail.appendChild(cell);
      row.after(detail);
      loadFragments(detail);
    }
    row.classList.toggle("open", open);
    var url = withOpen(uuid, open);
    if (link) {
      link.setAttribute("aria-expanded", String(open));
      link.textContent = open ? "▾" : "▸";
      link.href = withOpen(uuid, !open).toString();
    }
    window.history.replaceState(null, "", url);
  }

  function onClick(ev) {
    if (ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) {
      return; // let the browser open links in a new tab
    }
    var row = ev.target.closest("table.results tr.ev");
    if (!row) {
      return;
    }
    var anchor = ev.target.closest("a");
    if (anchor && !anchor.classList.contains("expand")) {
      return; // a pivot
    }
    if (!anchor && window.getSelection().toString() !== "") {
      return; // selecting text, not expanding
    }
    ev.preventDefault();
    toggleRow(row);
  }

  // Filter check while typing.
  function watchFilter() {
    var box = document.getElementById("filter");
    var out = document.getElementById("filter-check");
    if (!box || !out) {
      return;
    }
    var timer = 0;
    var seq = 0;
    box.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        var mine = ++seq;
        var url = "/api/validate?filter=" + encodeURIComponent(box.value);
        fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (res) {
          if (mine !== seq) {
            return;
          }
          if (res.valid) {
            out.textContent = box.value.trim() === "" ? "" : "✓ filter parses";
            out.className = "filter-check ok";
            return;
          }
          var e = res.error || {};
          var where = e.line ? "line " + e.line + ", column " + e.column + ": " : "";
          out.textContent = where + (e.message || "invalid filter");
          out.className = "filter-check bad";
        }).catch(function () { /* the server's answer on submit is enough */ });
      }, 250);
    });
  }

  document.addEventListener("click", onClick);
  document.addEventListener("DOMContentLoaded", function () {
    loadFragments(document);
    watchFilter();
  });
})();
