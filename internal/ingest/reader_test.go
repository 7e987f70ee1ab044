package ingest

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math/bits"
	"slices"
	"strings"
	"testing"
)

// checkPositions asserts what every JSON record must satisfy: Raw is the
// input's bytes at Offset, and Line counts the newlines before Offset.
func checkPositions(t *testing.T, input []byte, recs []Record) {
	t.Helper()
	for _, r := range recs {
		end := r.Offset + int64(len(r.Raw))
		if r.Offset < 0 || end > int64(len(input)) || !bytes.Equal(input[r.Offset:end], r.Raw) {
			t.Errorf("record %q is not the input's bytes at offset %d", r.Raw, r.Offset)
			continue
		}
		if want := 1 + bytes.Count(input[:r.Offset], newline); r.Line != want {
			t.Errorf("record %q: line %d, want %d", r.Raw, r.Line, want)
		}
	}
}

func TestReadShapes(t *testing.T) {
	hook := `{
  "eventType": "com.okta.event_hook",
  "eventId": "f7cf6af4",
  "data": {
    "events": [
      {"uuid": "a", "target": [{"id": "t"}]},
      {"uuid": "b"}
    ]
  },
  "contentType": "application/json"
}
`
	tests := []struct {
		name  string
		input string
		kind  Kind
		want  []string
		lines []int
	}{
		{"NDJSON, blank lines ignored", "{\"uuid\":\"a\"}\n\n{\"uuid\":\"b\"}\n  \n", KindNDJSON,
			[]string{`{"uuid":"a"}`, `{"uuid":"b"}`}, []int{1, 3}},
		{"NDJSON with CRLF line endings", "{\"a\":1}\r\n{\"b\":2}\r\n", KindNDJSON,
			[]string{`{"a":1}`, `{"b":2}`}, []int{1, 2}},
		{"NDJSON without a final newline", "{\"a\":1}\n{\"b\":2}", KindNDJSON,
			[]string{`{"a":1}`, `{"b":2}`}, []int{1, 2}},
		{"compact JSON array", `[{"a":1},{"b":[1,{"c":2}]}]`, KindJSONArray,
			[]string{`{"a":1}`, `{"b":[1,{"c":2}]}`}, []int{1, 1}},
		{"pretty-printed array keeps each element's exact bytes", "[\n  {\n    \"a\": 1\n  },\n  {\n    \"b\": \"}\"\n  }\n]\n", KindJSONArray,
			[]string{"{\n    \"a\": 1\n  }", "{\n    \"b\": \"}\"\n  }"}, []int{2, 5}},
		{"brackets and escaped quotes inside strings", `[{"a":"}{[\"\\"},{"b":"\\\\","c":"]"}]`, KindJSONArray,
			[]string{`{"a":"}{[\"\\"}`, `{"b":"\\\\","c":"]"}`}, nil},
		{"object wrapping events", `{"events":[{"uuid":"a"},{"uuid":"b"}],"next":"x"}`, KindNDJSON,
			[]string{`{"uuid":"a"}`, `{"uuid":"b"}`}, nil},
		{"pretty object wrapping an array under any key", "{\n  \"items\": [\n    {\"uuid\":\"a\"}\n  ],\n  \"count\": 1\n}\n", KindJSONObject,
			[]string{`{"uuid":"a"}`}, []int{3}},
		{"an events array after metadata that looks like an event field", `{"version":"2","count":1,"events":[{"uuid":"a"}]}`, KindNDJSON,
			[]string{`{"uuid":"a"}`}, nil},
		{"empty wrapper", `{"events":[]}`, KindNDJSON, nil, nil},
		{"Event Hook delivery: data.events", hook, KindJSONObject,
			[]string{`{"uuid": "a", "target": [{"id": "t"}]}`, `{"uuid": "b"}`}, []int{6, 7}},
		{"Event Hook deliveries, one per line",
			`{"eventType":"com.okta.event_hook","data":{"events":[{"uuid":"a"}]}}` + "\n" + `{"eventType":"com.okta.event_hook","data":{"events":[{"uuid":"b"},{"uuid":"c"}]}}` + "\n", KindNDJSON,
			[]string{`{"uuid":"a"}`, `{"uuid":"b"}`, `{"uuid":"c"}`}, []int{1, 2, 2}},
		{"an event's target array is not a wrapper", `{"uuid":"a","target":[{"id":"x"}]}`, KindNDJSON,
			[]string{`{"uuid":"a","target":[{"id":"x"}]}`}, nil},
		{"an event without uuid is not a wrapper", `{"eventType":"x","target":[{"id":"t"}]}`, KindNDJSON,
			[]string{`{"eventType":"x","target":[{"id":"t"}]}`}, nil},
		{"an unknown array of objects after an event field is not a wrapper", `{"eventType":"x","p_enrichment":[{"k":1}]}`, KindNDJSON,
			[]string{`{"eventType":"x","p_enrichment":[{"k":1}]}`}, nil},
		{"a data object without events is part of the event", `{"data":{"x":[{"y":1}]},"uuid":"a"}`, KindNDJSON,
			[]string{`{"data":{"x":[{"y":1}]},"uuid":"a"}`}, nil},
		{"arrays of pages", `[[{"a":1}],[{"b":2}]]`, KindJSONArray,
			[]string{`{"a":1}`, `{"b":2}`}, nil},
		{"scalars in an array are records", `[1, "x" ,null,{"a":1}]`, KindJSONArray,
			[]string{`1`, `"x"`, `null`, `{"a":1}`}, nil},
		{"a stray closing brace in an array is a record", `[{"a":1}},{"b":2}]`, KindJSONArray,
			[]string{`{"a":1}`, `}`, `{"b":2}`}, nil},
		{"a text line among NDJSON is a record", "{\"a\":1}\nnot json\n{\"b\":2}\n", KindNDJSON,
			[]string{`{"a":1}`, `not json`, `{"b":2}`}, []int{1, 2, 3}},
		{"a string cut by the end of its line does not swallow the next line", "{\"a\":\"abc\n{\"b\":2}\n", KindNDJSON,
			[]string{`{"a":"abc`, `{"b":2}`}, []int{1, 2}},
		{"an object cut at the end of its line does not swallow the next line", "{\"a\":{\"x\":1,\n{\"b\":2}\n{\"c\":3}\n", KindNDJSON,
			[]string{`{"a":{"x":1,`, `{"b":2}`, `{"c":3}`}, []int{1, 2, 3}},
		{"pretty objects one after another", "{\n \"a\": 1\n}\n{\n \"b\": {\n  \"c\": 2\n }\n}\n", KindJSONObject,
			[]string{"{\n \"a\": 1\n}", "{\n \"b\": {\n  \"c\": 2\n }\n}"}, []int{1, 4}},
		{"an object pretty-printed without indentation", "{\n\"a\": {\n\"b\": 1\n}\n}\n", KindJSONObject,
			[]string{"{\n\"a\": {\n\"b\": 1\n}\n}"}, []int{1}},
		{"commas between top-level objects", "{\"a\":1},\n{\"b\":2}\n", KindNDJSON,
			[]string{`{"a":1}`, `{"b":2}`}, []int{1, 2}},
		{"a key without a value does not run past its object", "{\"a\"}\n{\"b\":}\n{\"c\":1}\n", KindNDJSON,
			[]string{`{"a"}`, `{"b":}`, `{"c":1}`}, []int{1, 2, 3}},
		{"byte-order mark", "\xef\xbb\xbf[{\"a\":1}]", KindJSONArray, []string{`{"a":1}`}, nil},
		{"empty input", "", KindEmpty, nil, nil},
		{"whitespace only", " \n\t\n", KindEmpty, nil, nil},
		{"empty array", "[ ]", KindJSONArray, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs, format, err := readAll(t, []byte(tt.input))
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if format.Kind != tt.kind {
				t.Errorf("kind %v, want %v", format.Kind, tt.kind)
			}
			if got := raws(recs); !slices.Equal(got, tt.want) {
				t.Errorf("records\n got %q\nwant %q", got, tt.want)
			}
			if tt.lines != nil && !slices.Equal(lines(recs), tt.lines) {
				t.Errorf("lines %v, want %v", lines(recs), tt.lines)
			}
			checkPositions(t, []byte(tt.input), recs)
		})
	}
}

func TestDetect(t *testing.T) {
	tests := []struct {
		name  string
		input []byte
		want  Format
	}{
		{"JSON array", []byte(" \n[{}]"), Format{Kind: KindJSONArray}},
		{"NDJSON", []byte(`{"uuid":"a"}` + "\n"), Format{Kind: KindNDJSON}},
		{"pretty object", []byte("{\n}\n"), Format{Kind: KindJSONObject}},
		{"gzip-compressed array", gzipBytes(t, []byte(`[{"a":1}]`)), Format{Kind: KindJSONArray, Gzip: true}},
		{"gzip of gzip", gzipBytes(t, gzipBytes(t, []byte(`{"a":1}`))), Format{Kind: KindNDJSON, Gzip: true}},
		{"Admin Console CSV", []byte("uuid,timestamp,event_type\n"), Format{Kind: KindCSV}},
		{"CSV with a byte-order mark and quoted names", []byte("\xef\xbb\xbf\"uuid\",\"timestamp\",\"event_type\"\r\n"), Format{Kind: KindCSV}},
		{"CSV with semicolons", []byte("uuid;timestamp;client.ip_address\n"), Format{Kind: KindCSV}},
		{"CSV naming fields in camelCase", []byte("published,eventType,actor.alternateId\n"), Format{Kind: KindCSV}},
		{"CSV of something else", []byte("Field,Example,Description\n"), Format{Kind: KindUnknown}},
		{"CSV with a single known column", []byte("uuid,name\n"), Format{Kind: KindUnknown}},
		{"YAML", []byte("title: Okta User Created\n"), Format{Kind: KindUnknown}},
		{"zip archive", []byte("PK\x03\x04rest"), Format{Kind: KindUnknown}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rd, err := NewReader(bytes.NewReader(tt.input), "input")
			if err != nil {
				t.Fatal(err)
			}
			if rd.Format() != tt.want {
				t.Errorf("format %v, want %v", rd.Format(), tt.want)
			}
			err = rd.Read(func(Record) error { return nil })
			var fe *FormatError
			if unknown := tt.want.Kind == KindUnknown; unknown != errors.As(err, &fe) {
				t.Errorf("Read error %v", err)
			}
		})
	}
}

func TestUnknownFormatSaysWhatItIs(t *testing.T) {
	rd, err := NewReader(strings.NewReader("PK\x03\x04..."), "logs.zip")
	if err != nil {
		t.Fatal(err)
	}
	err = rd.Read(func(Record) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "logs.zip") || !strings.Contains(err.Error(), "zip archive") {
		t.Errorf("error %v, want it to name the file and say it is a zip archive", err)
	}
}

func TestBreaks(t *testing.T) {
	ndjson := synthBytes(t, synthNDJSON, 256<<10)
	gz := gzipBytes(t, ndjson)
	tests := []struct {
		name       string
		input      []byte
		want       []string // records before the break; nil: check count only
		wantCount  int
		wantOffset int64
		wantLine   int
	}{
		{"JSON array cut mid-element", []byte(`[{"a":1},{"b":`), []string{`{"a":1}`}, 1, 9, 1},
		{"JSON array cut between elements", []byte("[{\"a\":1},\n"), []string{`{"a":1}`}, 1, 10, 2},
		{"pretty array cut mid-element", []byte("[\n  {\"a\": 1},\n  {\n    \"b\""), []string{`{"a": 1}`}, 1, 16, 3},
		{"NDJSON whose last line is cut", []byte("{\"a\":1}\n{\"b\":"), []string{`{"a":1}`}, 1, 8, 2},
		{"wrapper cut after its array", []byte(`{"events":[{"a":1}]`), []string{`{"a":1}`}, 1, 19, 1},
		{"CSV cut inside a quoted cell", []byte("uuid,timestamp,event_type\na,2023-01-01T00:00:00Z,x\nb,\"2023"), nil, 1, 51, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs, _, err := readAll(t, tt.input)
			if tt.want != nil && !slices.Equal(raws(recs), tt.want) {
				t.Errorf("records %q, want %q", raws(recs), tt.want)
			}
			if len(recs) != tt.wantCount {
				t.Errorf("%d records, want %d", len(recs), tt.wantCount)
			}
			var be *BreakError
			if !errors.As(err, &be) {
				t.Fatalf("error %v, want a *BreakError", err)
			}
			if be.File != "input" || be.Offset != tt.wantOffset || be.Line != tt.wantLine {
				t.Errorf("break in %s at offset %d line %d, want input at %d line %d", be.File, be.Offset, be.Line, tt.wantOffset, tt.wantLine)
			}
			if !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Errorf("error %v, want it to wrap io.ErrUnexpectedEOF", err)
			}
		})
	}
	t.Run("truncated gzip keeps every complete record", func(t *testing.T) {
		recs, format, err := readAll(t, gz[:len(gz)/2])
		if !format.Gzip {
			t.Errorf("format %v, want gzip", format)
		}
		var be *BreakError
		if !errors.As(err, &be) || !strings.Contains(err.Error(), "input") {
			t.Fatalf("error %v, want a *BreakError naming the file", err)
		}
		if len(recs) == 0 {
			t.Fatal("no record before the break")
		}
		checkPositions(t, ndjson, recs)
		for _, r := range recs {
			if r.Raw[len(r.Raw)-1] != '}' {
				t.Errorf("incomplete record %q", r.Raw)
			}
		}
		last := recs[len(recs)-1]
		if be.Offset != last.Offset+int64(len(last.Raw))+1 {
			t.Errorf("break at %d, want right after the last complete record (%d)", be.Offset, last.Offset+int64(len(last.Raw))+1)
		}
	})
	t.Run("a gzip header that is not one", func(t *testing.T) {
		_, err := NewReader(bytes.NewReader([]byte{0x1f, 0x8b, 0, 0, 0}), "bad.gz")
		var be *BreakError
		if !errors.As(err, &be) || be.File != "bad.gz" {
			t.Errorf("error %v, want a *BreakError for bad.gz", err)
		}
	})
}

func TestRecordTooLarge(t *testing.T) {
	pad := strings.Repeat("x", 3<<20)
	big := `{"uuid":"big","pad":"` + pad + `"}`
	tests := []struct {
		name   string
		input  string
		before string
		after  string
		line   int // of the big record; the next is on the next line, or the same in an array
	}{
		{"in an array", "[" + `{"uuid":"a"},` + big + `,{"uuid":"b"}` + "]", `{"uuid":"a"}`, `{"uuid":"b"}`, 1},
		{"in NDJSON", `{"uuid":"a"}` + "\n" + big + "\n" + `{"uuid":"b"}` + "\n", `{"uuid":"a"}`, `{"uuid":"b"}`, 2},
		{"a line of text", `{"uuid":"a"}` + "\n" + pad + "\n" + `{"uuid":"b"}` + "\n", `{"uuid":"a"}`, `{"uuid":"b"}`, 2},
		{"ending in escapes", `{"uuid":"a"}` + "\n" + `{"pad":"` + strings.Repeat(`\\`, 3<<20) + `"}` + "\n" + `{"uuid":"b"}` + "\n", `{"uuid":"a"}`, `{"uuid":"b"}`, 2},
		{"a CSV row", "uuid,timestamp,event_type\na,t,e\nbig,t,\"" + pad + "\"\nb,t,e\n", "a,t,e", "b,t,e", 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rd, err := NewReader(strings.NewReader(tt.input), "input")
			if err != nil {
				t.Fatal(err)
			}
			rd.SetMaxRecordSize(64 << 10)
			var recs []Record
			if err := rd.Read(func(r Record) error { recs = append(recs, r.Clone()); return nil }); err != nil {
				t.Fatal(err)
			}
			if len(recs) != 3 || string(recs[0].Raw) != tt.before || string(recs[2].Raw) != tt.after {
				t.Fatalf("records %q, want %q, the big one, %q", raws(recs), tt.before, tt.after)
			}
			tooBig := recs[1]
			start := strings.Index(tt.input, string(tooBig.Raw))
			if !errors.Is(tooBig.Err, ErrRecordTooLarge) || tooBig.Offset != int64(start) || tooBig.Line != tt.line || len(tooBig.Raw) != prefixSize || tooBig.JSON != nil {
				t.Errorf("big record: err %v, offset %d (want %d), line %d (want %d), %d bytes kept", tooBig.Err, tooBig.Offset, start, tooBig.Line, tt.line, len(tooBig.Raw))
			}
			if want := tt.line + strings.Count(tt.input[start:recs[2].Offset], "\n"); recs[2].Line != want {
				t.Errorf("record after the big one on line %d, want %d", recs[2].Line, want)
			}
		})
	}
}

func TestCallbackErrorStopsRead(t *testing.T) {
	stop := errors.New("stop")
	n := 0
	err := ReadRecords(strings.NewReader("{\"a\":1}\n{\"b\":2}\n"), "input", func(Record) error { n++; return stop })
	if !errors.Is(err, stop) || n != 1 {
		t.Errorf("err %v after %d records, want stop after 1", err, n)
	}
}

// TestStringSpecials checks the word-at-a-time search of scanString
// against the byte table: for every position of a quote, backslash or
// newline among other bytes (those below and above them, and UTF-8's
// high bytes), the first special byte found is that one.
func TestStringSpecials(t *testing.T) {
	fill := []byte{0, 1, '!', '#', '[', ']', 'a', 0x7f, 0x80, 0xdc, 0xff, '\t', '\r', 0x0b, 0x21, 0x5b, 0x5d}
	cases := 0
	for _, special := range []byte{'"', '\\', '\n'} {
		for _, f := range fill {
			for pos := 0; pos <= 8; pos++ {
				var word [8]byte
				for k := range word {
					word[k] = f
				}
				if pos < 8 {
					word[pos] = special
				}
				for k := pos + 1; k < 8; k++ { // specials after the first don't move it
					if k%3 == 0 {
						word[k] = '"'
					}
				}
				want := 8
				for k, c := range word {
					if strSpecial[c] {
						want = k
						break
					}
				}
				got := 8
				if m := stringSpecials(binary.LittleEndian.Uint64(word[:])); m != 0 {
					got = bits.TrailingZeros64(m) / 8
				}
				if got != want {
					t.Fatalf("word %q: first special at %d, want %d", word, got, want)
				}
				cases++
			}
		}
	}
	if cases == 0 {
		t.Fatal("no cases")
	}
}

// TestStringsCutAnywhere reads NDJSON whose string values hold an escaped
// quote, an escaped backslash or a raw newline at every offset up to twice
// the scanner's word: the escapes stay inside their record, and a raw
// newline (never valid JSON) ends it there, the next line being a record
// of its own.
func TestStringsCutAnywhere(t *testing.T) {
	cases := 0
	for off := 0; off <= 17; off++ {
		pad := strings.Repeat("x", off)
		for _, esc := range []string{`\"`, `\\`, `\"}{\"`} {
			rec := `{"a":"` + pad + esc + `yz","b":"` + pad + `"}`
			recs, _, err := readAll(t, []byte(rec+"\n"+`{"c":1}`+"\n"))
			if err != nil {
				t.Fatal(err)
			}
			if got := raws(recs); !slices.Equal(got, []string{rec, `{"c":1}`}) {
				t.Fatalf("escape %s at %d: records %q", esc, off, got)
			}
			cases++
		}
		first := `{"a":"` + pad
		recs, _, err := readAll(t, []byte(first+"\nyz\"}\n"+`{"c":1}`+"\n"))
		if err != nil {
			t.Fatal(err)
		}
		if got := raws(recs); !slices.Equal(got, []string{first, `yz"}`, `{"c":1}`}) {
			t.Fatalf("raw newline at %d: records %q", off, got)
		}
		cases++
	}
	if cases == 0 {
		t.Fatal("no cases")
	}
}
