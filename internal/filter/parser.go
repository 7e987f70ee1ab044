package filter

import (
	"fmt"
	"strings"
)

// Limits on what Parse accepts, so that no input can exhaust memory or stack.
const (
	MaxLength = 64 << 10 // bytes of filter text
	MaxDepth  = 64       // nesting of parentheses and not
)

// SyntaxError is a filter that does not parse. Its message names the
// position, what was found and what was expected.
type SyntaxError struct {
	Line, Column int // 1-based; Column counts characters
	Msg          string
	multiline    bool
}

func (e *SyntaxError) Error() string {
	if e.multiline {
		return fmt.Sprintf("filter: line %d, column %d: %s", e.Line, e.Column, e.Msg)
	}
	return fmt.Sprintf("filter: column %d: %s", e.Column, e.Msg)
}

// Parse parses a filter expression. An empty (or all-blank) filter yields a
// nil Expr, which matches every event. Errors are *SyntaxError.
func Parse(text string) (Expr, error) {
	if len(text) > MaxLength {
		return nil, &SyntaxError{Line: 1, Column: 1, Msg: fmt.Sprintf("filter is %d bytes long; the limit is %d", len(text), MaxLength)}
	}
	lx := newLexer(text)
	tokens, err := lx.tokens()
	if err != nil {
		return nil, err
	}
	p := &parser{lx: lx, tokens: tokens}
	if p.peek().kind == tokEOF {
		return nil, nil
	}
	e, err := p.parseOr(0)
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tokEOF {
		return nil, p.errorf(t, "expected 'and', 'or' or the end of the filter, found %s", t.describe())
	}
	return e, nil
}

// MustParse is Parse for filters known to be valid; it panics on error.
func MustParse(text string) Expr {
	e, err := Parse(text)
	if err != nil {
		panic(err)
	}
	return e
}

type parser struct {
	lx     *lexer
	tokens []token
	pos    int
}

func (p *parser) peek() token { return p.tokens[p.pos] }

func (p *parser) take() token {
	t := p.tokens[p.pos]
	if t.kind != tokEOF {
		p.pos++
	}
	return t
}

// keyword reports whether the next token is the word kw, in any case.
func (p *parser) keyword(kw string) bool {
	t := p.peek()
	return t.kind == tokWord && strings.EqualFold(t.text, kw)
}

func (p *parser) errorf(t token, format string, args ...any) error {
	return p.lx.errorAt(t, format, args...)
}

// parseOr parses: and-expr { "or" and-expr }.
func (p *parser) parseOr(depth int) (Expr, error) {
	return p.parseChain(depth, "or", p.parseAnd, func(terms []Expr) Expr { return &Or{Terms: terms} })
}

// parseAnd parses: unary { "and" unary }.
func (p *parser) parseAnd(depth int) (Expr, error) {
	return p.parseChain(depth, "and", p.parseUnary, func(terms []Expr) Expr { return &And{Terms: terms} })
}

// parseChain parses operands joined by the keyword op, flattening nested
// chains of the same operator into one node.
func (p *parser) parseChain(depth int, op string, operand func(int) (Expr, error), build func([]Expr) Expr) (Expr, error) {
	var terms []Expr
	for {
		e, err := operand(depth)
		if err != nil {
			return nil, err
		}
		terms = appendFlat(terms, e, op)
		if !p.keyword(op) {
			break
		}
		p.take()
	}
	if len(terms) == 1 {
		return terms[0], nil
	}
	return build(terms), nil
}

func appendFlat(terms []Expr, e Expr, op string) []Expr {
	switch x := e.(type) {
	case *And:
		if op == "and" {
			return append(terms, x.Terms...)
		}
	case *Or:
		if op == "or" {
			return append(terms, x.Terms...)
		}
	}
	return append(terms, e)
}

// parseUnary parses: "not" "(" or-expr ")" | "(" or-expr ")" | comparison.
func (p *parser) parseUnary(depth int) (Expr, error) {
	if depth >= MaxDepth {
		return nil, p.errorf(p.peek(), "filter nests deeper than %d levels", MaxDepth)
	}
	if p.keyword("not") {
		notTok := p.take()
		if p.peek().kind != tokLParen {
			return nil, p.errorf(p.peek(), "expected '(' after %s, found %s", notTok.describe(), p.peek().describe())
		}
		x, err := p.parseGroup(depth + 1)
		if err != nil {
			return nil, err
		}
		return &Not{X: x}, nil
	}
	if p.peek().kind == tokLParen {
		return p.parseGroup(depth + 1)
	}
	return p.parseComparison()
}

// parseGroup parses "(" or-expr ")".
func (p *parser) parseGroup(depth int) (Expr, error) {
	open := p.take()
	x, err := p.parseOr(depth)
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tokRParen {
		return nil, p.errorf(t, "expected ')' to close the '(' at column %d, found %s", open.column, t.describe())
	}
	p.take()
	return x, nil
}

// parseComparison parses: path op value | path "pr" | path "in" list.
func (p *parser) parseComparison() (Expr, error) {
	pathTok := p.take()
	if pathTok.kind != tokWord || isReserved(pathTok.text) {
		return nil, p.errorf(pathTok, "expected an attribute path such as eventType or actor.id, found %s", pathTok.describe())
	}
	if err := checkPath(pathTok.text); err != nil {
		return nil, p.errorf(pathTok, "invalid attribute path '%s': %v", pathTok.text, err)
	}
	opTok := p.take()
	if opTok.kind != tokWord {
		return nil, p.errorf(opTok, "expected an operator after '%s', found %s", pathTok.text, opTok.describe())
	}
	path, op := pathTok.text, strings.ToLower(opTok.text)
	switch op {
	case "pr":
		return &Present{Path: path}, nil
	case "in":
		values, err := p.parseList()
		if err != nil {
			return nil, err
		}
		return &In{Path: path, Values: values}, nil
	}
	if !isComparisonOp(op) {
		return nil, p.errorf(opTok, "unrecognized attribute operator '%s' after '%s'; expected one of eq, ne, gt, ge, lt, le, sw, co, ew, pr, in", opTok.text, path)
	}
	value, err := p.parseLiteral(opTok)
	if err != nil {
		return nil, err
	}
	return &Compare{Path: path, Op: Op(op), Value: value}, nil
}

// parseList parses "[" literal { "," literal } "]".
func (p *parser) parseList() ([]Literal, error) {
	open := p.take()
	if open.kind != tokLBracket {
		return nil, p.errorf(open, "expected '[' after 'in', found %s", open.describe())
	}
	var values []Literal
	for {
		v, err := p.parseLiteral(open)
		if err != nil {
			return nil, err
		}
		values = append(values, v)
		switch t := p.take(); t.kind {
		case tokComma:
			continue
		case tokRBracket:
			return values, nil
		default:
			return nil, p.errorf(t, "expected ',' or ']' in the list, found %s", t.describe())
		}
	}
}

// parseLiteral parses a string, number, true, false or null that follows the
// token after.
func (p *parser) parseLiteral(after token) (Literal, error) {
	t := p.take()
	switch t.kind {
	case tokString:
		return Literal{Kind: LitString, Str: t.value}, nil
	case tokNumber:
		return Literal{Kind: LitNumber, Str: t.text}, nil
	case tokWord:
		switch strings.ToLower(t.text) {
		case "true":
			return Literal{Kind: LitBool, Bool: true}, nil
		case "false":
			return Literal{Kind: LitBool}, nil
		case "null":
			return Literal{Kind: LitNull}, nil
		}
	}
	return Literal{}, p.errorf(t, "expected a value (a \"string\", a number, true, false or null) after %s, found %s", after.describe(), t.describe())
}

func isComparisonOp(op string) bool {
	for _, known := range comparisonOps {
		if op == string(known) {
			return true
		}
	}
	return false
}

// isReserved reports whether a word is a keyword that cannot start a
// comparison.
func isReserved(word string) bool {
	switch strings.ToLower(word) {
	case "and", "or", "not", "true", "false", "null":
		return true
	}
	return false
}

// checkPath rejects empty steps ("actor..id", a trailing dot).
func checkPath(path string) error {
	for _, step := range strings.Split(path, ".") {
		if step == "" {
			return fmt.Errorf("empty step")
		}
	}
	return nil
}
