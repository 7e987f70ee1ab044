package render

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/oktascope/oktascope/internal/scope"
)

// writeMermaid writes a scope report's graph as a Mermaid flowchart in a
// fenced block, which Markdown viewers that know Mermaid draw. Labels
// come from events: every character but letters, digits and a few
// harmless punctuation marks is written as Mermaid's numeric entity
// (#60; for <), so a label can neither end its quotes, nor add a node,
// a link, markup or a line, nor close the fence.
func writeMermaid(w io.Writer, g scope.Graph) {
	fmt.Fprintln(w, "```mermaid")
	fmt.Fprintln(w, "flowchart LR")
	ids := make(map[string]string, len(g.Nodes))
	shared := map[string]bool{}
	for i, n := range g.Nodes {
		id := "n" + strconv.Itoa(i)
		ids[n.ID] = id
		shared[n.ID] = n.Shared
		label := n.Label
		if n.More == 0 {
			label += fmt.Sprintf(" · %d %s", n.Events, plural(n.Events, "event", "events"))
		}
		open, end := mermaidShapes[n.Kind][0], mermaidShapes[n.Kind][1]
		fmt.Fprintf(w, "  %s%s\"%s\"%s\n", id, open, mermaidText(label), end)
	}
	for _, e := range g.Edges {
		arrow := "-->"
		if shared[e.Source] || shared[e.Target] {
			arrow = "-.->"
		}
		fmt.Fprintf(w, "  %s %s|\"%s · %d\"| %s\n", ids[e.Source], arrow, e.Kind, e.Events, ids[e.Target])
	}
	fmt.Fprintln(w, "  classDef indicator stroke:#1662dd,stroke-width:3px")
	fmt.Fprintln(w, "  classDef cited fill:#fdeeec,stroke:#c0392b")
	fmt.Fprintln(w, "  classDef shared fill:#eeeeee,stroke-dasharray:4 3")
	fmt.Fprintln(w, "  classDef more fill:#f6f7f9,stroke:#999999,color:#555555")
	for _, n := range g.Nodes {
		switch {
		case n.Indicator:
			fmt.Fprintf(w, "  class %s indicator\n", ids[n.ID])
		case n.Cited:
			fmt.Fprintf(w, "  class %s cited\n", ids[n.ID])
		case n.Shared:
			fmt.Fprintf(w, "  class %s shared\n", ids[n.ID])
		case n.More > 0:
			fmt.Fprintf(w, "  class %s more\n", ids[n.ID])
		}
	}
	fmt.Fprintln(w, "```")
}

// mermaidShapes are the brackets of each kind of node: a stadium for a
// user, a rectangle for a session, a cylinder for an address, a hexagon for
// a device, a parallelogram for an app.
var mermaidShapes = map[scope.NodeKind][2]string{
	scope.NodeUser: {"([", "])"}, scope.NodeSession: {"[", "]"}, scope.NodeIP: {"[(", ")]"},
	scope.NodeDevice: {"{{", "}}"}, scope.NodeApp: {"[/", "/]"},
}

// mermaidText writes s for inside a quoted Mermaid label: letters, digits,
// space and . , : @ _ - / + ( ) · … as they are, any other character as
// #N; (its code point), control characters shown escaped first.
func mermaidText(s string) string {
	var b strings.Builder
	for _, r := range Terminal(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', strings.ContainsRune(" .,:@_-/+()·…", r):
			b.WriteRune(r)
		default:
			fmt.Fprintf(&b, "#%d;", r)
		}
	}
	return b.String()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
