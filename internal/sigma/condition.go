package sigma

import (
	"fmt"
	"regexp"
	"strings"
)

// Limits on a condition, so that no rule can exhaust the stack.
const (
	maxConditionLength = 8 << 10
	maxConditionDepth  = 64
)

// selections are a detection's named searches, in file order.
type selections struct {
	names []string
	nodes map[string]node
}

// condParser parses a Sigma condition: identifiers, "1 of" / "all of"
// patterns or "them", not, and, or, parentheses; precedence not > and > or.
type condParser struct {
	text   string
	tokens []string
	pos    int
	sels   *selections
}

var condToken = regexp.MustCompile(`\(|\)|[^\s()]+`)

// parseCondition compiles the expression part of a condition (the text
// before any "|").
func parseCondition(text string, sels *selections) (node, error) {
	if len(text) > maxConditionLength {
		return nil, fmt.Errorf("condition is %d bytes long; the limit is %d", len(text), maxConditionLength)
	}
	p := &condParser{text: text, tokens: condToken.FindAllString(text, -1), sels: sels}
	if len(p.tokens) == 0 {
		return nil, fmt.Errorf("condition is empty")
	}
	n, err := p.parseOr(0)
	if err != nil {
		return nil, err
	}
	if p.pos < len(p.tokens) {
		return nil, p.errorf("unexpected %q", p.tokens[p.pos])
	}
	return n, nil
}

func (p *condParser) errorf(format string, args ...any) error {
	return fmt.Errorf("condition %q: %s", p.text, fmt.Sprintf(format, args...))
}

func (p *condParser) peek() string {
	if p.pos < len(p.tokens) {
		return p.tokens[p.pos]
	}
	return ""
}

// accept consumes the next token when it is the keyword kw (any case).
func (p *condParser) accept(kw string) bool {
	if strings.EqualFold(p.peek(), kw) {
		p.pos++
		return true
	}
	return false
}

func (p *condParser) parseOr(depth int) (node, error) {
	return p.parseChain(depth, "or", p.parseAnd, anyOf)
}

func (p *condParser) parseAnd(depth int) (node, error) {
	return p.parseChain(depth, "and", p.parseUnary, allOf)
}

func (p *condParser) parseChain(depth int, op string, operand func(int) (node, error), join func([]node) node) (node, error) {
	var terms []node
	for {
		n, err := operand(depth)
		if err != nil {
			return nil, err
		}
		terms = append(terms, n)
		if !p.accept(op) {
			return join(terms), nil
		}
	}
}

func (p *condParser) parseUnary(depth int) (node, error) {
	if depth >= maxConditionDepth {
		return nil, p.errorf("nests deeper than %d levels", maxConditionDepth)
	}
	switch {
	case p.accept("not"):
		x, err := p.parseUnary(depth + 1)
		if err != nil {
			return nil, err
		}
		return &notNode{x: x}, nil
	case p.accept("("):
		x, err := p.parseOr(depth + 1)
		if err != nil {
			return nil, err
		}
		if !p.accept(")") {
			return nil, p.errorf("expected ')', found %s", p.describeNext())
		}
		return x, nil
	}
	return p.parseOperand()
}

func (p *condParser) describeNext() string {
	if t := p.peek(); t != "" {
		return fmt.Sprintf("%q", t)
	}
	return "the end of the condition"
}

// parseOperand parses a selection name or "1 of X" / "all of X".
func (p *condParser) parseOperand() (node, error) {
	t := p.peek()
	switch {
	case t == "" || t == ")" || isConditionKeyword(t):
		return nil, p.errorf("expected a selection name, found %s", p.describeNext())
	case (t == "1" || strings.EqualFold(t, "all")) && p.pos+1 < len(p.tokens) && strings.EqualFold(p.tokens[p.pos+1], "of"):
		p.pos += 2
		return p.parseQuantifier(t)
	}
	p.pos++
	n, ok := p.sels.nodes[t]
	if !ok {
		return nil, p.errorf("unknown selection %q (the detection defines %s)", t, strings.Join(p.sels.names, ", "))
	}
	return n, nil
}

func isConditionKeyword(t string) bool {
	switch strings.ToLower(t) {
	case "and", "or", "not", "of", "them":
		return true
	}
	return false
}

// parseQuantifier parses the target of "1 of" or "all of".
func (p *condParser) parseQuantifier(quant string) (node, error) {
	target := p.peek()
	if target == "" || target == "(" || target == ")" {
		return nil, p.errorf("expected a selection name pattern or 'them' after '%s of', found %s", quant, p.describeNext())
	}
	p.pos++
	names := p.sels.matching(target)
	if len(names) == 0 {
		return nil, p.errorf("'%s of %s': no selection matches %s", quant, target, target)
	}
	terms := make([]node, len(names))
	for i, name := range names {
		terms[i] = p.sels.nodes[name]
	}
	if quant == "1" {
		return anyOf(terms), nil
	}
	return allOf(terms), nil
}

// matching returns the selections a "1 of"/"all of" target names: every
// selection for "them" (except those starting with "_", as Sigma says), or
// those matching a pattern in which '*' is a wildcard.
func (s *selections) matching(target string) []string {
	them := strings.EqualFold(target, "them")
	pattern := namePattern(target)
	var out []string
	for _, name := range s.names {
		if (them && !strings.HasPrefix(name, "_")) || (!them && pattern.MatchString(name)) {
			out = append(out, name)
		}
	}
	return out
}

func namePattern(pattern string) *regexp.Regexp {
	parts := strings.Split(pattern, "*")
	for i, part := range parts {
		parts[i] = regexp.QuoteMeta(part)
	}
	return regexp.MustCompile("^" + strings.Join(parts, ".*") + "$")
}
