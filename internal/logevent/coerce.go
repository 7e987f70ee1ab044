package logevent

import (
	"reflect"
	"strconv"
	"strings"

	json "github.com/goccy/go-json"
)

// coerce rewrites an event whose values have the wrong JSON type for their
// LogEvent field into one that decodes: a number or boolean where a string
// belongs becomes its text, and an object or array there becomes its JSON
// text. It is the slow path, taken only after the fast typed decoding
// failed, and it reports false when the event is not a JSON object.
func coerce(raw []byte) ([]byte, bool) {
	var generic map[string]any
	if json.Unmarshal(raw, &generic) != nil || generic == nil {
		return nil, false
	}
	coerceObject(generic, logEventType)
	out, err := json.Marshal(generic)
	return out, err == nil
}

// coerceObject fixes the values of m against the fields of struct type t.
func coerceObject(m map[string]any, t reflect.Type) {
	for key, value := range m {
		f, ok := fieldByJSONName(t, key)
		if !ok {
			continue
		}
		m[key] = coerceValue(value, t.Field(f).Type)
	}
}

func coerceValue(v any, t reflect.Type) any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if v == nil {
		return nil
	}
	switch {
	case t.Kind() == reflect.String:
		return textOf(v)
	case t == objectType || t == numberType || t == boolType:
		return v // their own decoders are lenient
	case t.Kind() == reflect.Struct:
		m, ok := v.(map[string]any)
		if !ok {
			return nil // a scalar where an object belongs: keep it in Raw only
		}
		coerceObject(m, t)
		return m
	case t.Kind() == reflect.Slice:
		return coerceSlice(v, t.Elem())
	}
	return v
}

func coerceSlice(v any, elem reflect.Type) any {
	items, ok := v.([]any)
	if !ok {
		items = []any{v} // a single element where an array belongs
	}
	for i, item := range items {
		items[i] = coerceValue(item, elem)
	}
	return items
}

// textOf is the string a scalar stands for, or the JSON text of an object
// or array.
func textOf(v any) any {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	}
	text, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	return strings.TrimSpace(string(text))
}
