package render

import "strings"

// Markdown escapes text for Markdown (CommonMark and GitHub's tables): control
// characters as render.Terminal shows them, the punctuation of inline
// Markdown (emphasis, code, links, images, tables, strikethrough) with a
// backslash, and HTML metacharacters as entities. The text never starts a
// line (it follows a table's "| ", a list's "- " or a heading's "# "), so
// the punctuation of block structure needs no escape.
func Markdown(s string) string {
	s = Terminal(s)
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\\', '`', '*', '_', '{', '}', '[', ']', '(', ')', '#', '!', '|', '~':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '"':
			b.WriteString("&quot;")
		case '\'':
			b.WriteString("&#39;")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
