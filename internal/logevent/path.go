package logevent

import (
	"reflect"
	"strconv"
	"strings"

	json "github.com/goccy/go-json"
)

// Kind is the JSON type of a Value.
type Kind uint8

// The kinds of value a path can reach.
const (
	KindString Kind = iota + 1
	KindNumber
	KindBool
	KindObject
)

// Value is one value reached by a path: a string, number, boolean, or a
// non-empty object (which only the "present" test looks at).
type Value struct {
	Kind Kind
	Str  string
	Num  float64
	Bool bool
}

// Text returns the text of a scalar value as the filter language's string
// operators (sw, co, ew) and Sigma's string tests see it: a string as it
// is, a number and a boolean as written (1234, 0.5, true). An object has
// no text (ok false).
func (v Value) Text() (text string, ok bool) {
	switch v.Kind {
	case KindString:
		return v.Str, true
	case KindNumber:
		return strconv.FormatFloat(v.Num, 'f', -1, 64), true
	case KindBool:
		return strconv.FormatBool(v.Bool), true
	}
	return "", false
}

// Path is a compiled dotted attribute path such as "actor.id",
// "target.detailEntry.methodTypeUsed" or "target.0.displayName". Names match
// LogEvent's case-insensitively; a step through an array visits every element
// unless it is a numeric index. Paths the LogEvent type does not declare are
// looked up in the event's raw JSON.
type Path struct {
	text  string
	names []string
	steps []step // nil when the path leaves the typed LogEvent
}

type stepKind uint8

const (
	stepField   stepKind = iota // struct field by index
	stepIndex                   // one element of a slice
	stepEach                    // every element of a slice
	stepDynamic                 // the rest of the path, inside a free-form Object
)

type step struct {
	kind  stepKind
	field int
	index int
	rest  []string
}

var logEventType = reflect.TypeFor[LogEvent]()

// CompilePath compiles a dotted path. It never fails: a path that names
// nothing simply reaches no value.
func CompilePath(text string) *Path {
	names := strings.Split(text, ".")
	p := &Path{text: text, names: names}
	p.steps = resolve(logEventType, names)
	return p
}

// String returns the path as written.
func (p *Path) String() string { return p.text }

// resolve maps names onto the typed LogEvent, or returns nil when they leave
// it (an unknown field, or a step below a scalar).
func resolve(t reflect.Type, names []string) []step {
	var steps []step
	for i := 0; i < len(names); i++ {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		name := names[i]
		switch {
		case t == objectType:
			return append(steps, step{kind: stepDynamic, rest: names[i:]})
		case t.Kind() == reflect.Slice:
			if n, err := strconv.Atoi(name); err == nil {
				steps = append(steps, step{kind: stepIndex, index: n})
				t = t.Elem()
				continue
			}
			steps = append(steps, step{kind: stepEach})
			t, i = t.Elem(), i-1
		case t.Kind() == reflect.Struct:
			f, ok := fieldByJSONName(t, name)
			if !ok {
				return nil
			}
			steps = append(steps, step{kind: stepField, field: f})
			t = t.Field(f).Type
		default:
			return nil
		}
	}
	return steps
}

var (
	objectType = reflect.TypeFor[Object]()
	numberType = reflect.TypeFor[Number]()
	boolType   = reflect.TypeFor[Bool]()
)

func fieldByJSONName(t reflect.Type, name string) (int, bool) {
	for i := range t.NumField() {
		tag, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if tag != "" && strings.EqualFold(tag, name) {
			return i, true
		}
	}
	return 0, false
}

// Any reports whether match returns true for any value the path reaches in e.
func (p *Path) Any(e *Event, match func(Value) bool) bool {
	if p.steps == nil {
		return anyGeneric(e.genericRoot(), p.names, match)
	}
	return anyTyped(reflect.ValueOf(&e.LogEvent).Elem(), p.steps, match)
}

// Values returns every value the path reaches in e.
func (p *Path) Values(e *Event) []Value {
	var out []Value
	p.Any(e, func(v Value) bool { out = append(out, v); return false })
	return out
}

func anyTyped(v reflect.Value, steps []step, match func(Value) bool) bool {
	for i, s := range steps {
		for v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return false
			}
			v = v.Elem()
		}
		switch s.kind {
		case stepField:
			v = v.Field(s.field)
		case stepIndex:
			if s.index < 0 || s.index >= v.Len() {
				return false
			}
			v = v.Index(s.index)
		case stepEach:
			for j := range v.Len() {
				if anyTyped(v.Index(j), steps[i+1:], match) {
					return true
				}
			}
			return false
		case stepDynamic:
			return v.Addr().Interface().(*Object).anyPath(s.rest, match)
		}
	}
	return matchTyped(v, match)
}

// matchTyped offers the value at the end of a typed path to match. It reads
// through reflect without boxing, so a lookup does not allocate.
func matchTyped(v reflect.Value, match func(Value) bool) bool {
	switch t := v.Type(); {
	case t.Kind() == reflect.String:
		return v.Len() > 0 && match(Value{Kind: KindString, Str: v.String()})
	case t == numberType:
		return v.Field(1).Bool() && match(Value{Kind: KindNumber, Num: v.Field(0).Float()})
	case t == boolType:
		return v.Field(1).Bool() && match(Value{Kind: KindBool, Bool: v.Field(0).Bool()})
	case t == objectType:
		return v.Addr().Interface().(*Object).Len() > 0 && match(Value{Kind: KindObject})
	case t.Kind() == reflect.Slice:
		for j := range v.Len() {
			if matchTyped(v.Index(j), match) {
				return true
			}
		}
		return false
	case t.Kind() == reflect.Pointer:
		return !v.IsNil() && matchTyped(v.Elem(), match)
	}
	return !v.IsZero() && match(Value{Kind: KindObject})
}

// anyGeneric walks a generically decoded JSON value.
func anyGeneric(v any, names []string, match func(Value) bool) bool {
	for i, name := range names {
		switch x := v.(type) {
		case map[string]any:
			v = lookupFold(x, name)
		case []any:
			if n, err := strconv.Atoi(name); err == nil {
				if n < 0 || n >= len(x) {
					return false
				}
				v = x[n]
				continue
			}
			for _, elem := range x {
				if anyGeneric(elem, names[i:], match) {
					return true
				}
			}
			return false
		default:
			return false
		}
	}
	return matchGeneric(v, match)
}

func matchGeneric(v any, match func(Value) bool) bool {
	switch x := v.(type) {
	case string:
		return x != "" && match(Value{Kind: KindString, Str: x})
	case float64:
		return match(Value{Kind: KindNumber, Num: x})
	case bool:
		return match(Value{Kind: KindBool, Bool: x})
	case map[string]any:
		return len(x) > 0 && match(Value{Kind: KindObject})
	case []any:
		for _, elem := range x {
			if matchGeneric(elem, match) {
				return true
			}
		}
	}
	return false
}

// lookupFold finds key in m exactly, or else case-insensitively.
func lookupFold(m map[string]any, key string) any {
	if v, ok := m[key]; ok {
		return v
	}
	for k, v := range m {
		if strings.EqualFold(k, key) {
			return v
		}
	}
	return nil
}

// genericRoot decodes Raw into generic JSON once, for paths the typed
// LogEvent does not declare.
func (e *Event) genericRoot() map[string]any {
	if e.generic == nil {
		if json.Unmarshal(e.Raw, &e.generic) != nil || e.generic == nil {
			e.generic = map[string]any{}
		}
	}
	return e.generic
}
