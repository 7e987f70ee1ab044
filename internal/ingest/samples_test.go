package ingest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	json "github.com/goccy/go-json"

	"github.com/oktascope/oktascope/internal/backend"
	"github.com/oktascope/oktascope/internal/logevent"
)

const samplesDir = "../../testdata/okta-samples"

// The public sample files (testdata/okta-samples/README.md), with what a
// first import of each alone must count. The numbers were checked against
// an independent count (records, unique uuids, records lacking uuid,
// eventType or a published time; records of a known uuid equal to its
// first as decoded JSON, and the others: conflicts).
var sampleFiles = []struct {
	path                                            string
	kind                                            Kind
	read, imported, duplicates, conflicts, rejected int
}{
	{"azure-sentinel/OktaV2_CL.json", KindJSONArray, 95, 95, 0, 0, 0},
	{"beats/okta-system-test.ndjson", KindNDJSON, 7, 7, 0, 0, 0},
	{"elastic/okta-system-sample-array.json", KindJSONArray, 3, 3, 0, 0, 0},
	{"elastic/test-okta-system-events.ndjson", KindNDJSON, 20, 7, 4, 9, 0},
	{"elastic/test-okta-system-no-flattened-events.ndjson", KindNDJSON, 25, 10, 4, 11, 0},
	{"grafana/response.json", KindJSONArray, 1, 1, 0, 0, 0},
	{"logzio-event-hook/logStreamDeleted.json", KindJSONObject, 1, 1, 0, 0, 0},
	{"logzio-event-hook/miltipleEvents.json", KindJSONObject, 2, 2, 0, 0, 0},
	{"logzio-event-hook/sampleEvent.json", KindJSONObject, 1, 1, 0, 0, 0},
	{"panther/panther-okta-test-events.ndjson", KindNDJSON, 69, 21, 0, 23, 25},
	{"rapid7/get_logs.json", KindJSONArray, 2, 1, 0, 1, 0},
	{"rapid7/get_logs_next_page.json", KindJSONArray, 1, 1, 0, 0, 0},
	{"rapid7/get_logs_single_event.json", KindJSONArray, 1, 1, 0, 0, 0},
}

// importOnce imports paths into sink, failing the test on an error.
func importOnce(t *testing.T, sink backend.Writer, opts Options, paths ...string) Summary {
	t.Helper()
	sum, err := Import(context.Background(), paths, sink, opts)
	if err != nil {
		t.Fatalf("Import(%v): %v", paths, err)
	}
	return sum
}

func checkCounts(t *testing.T, what string, sum Summary, read, imported, duplicates, conflicts, rejected int) {
	t.Helper()
	if sum.Read != read || sum.Imported != imported || sum.Duplicates != duplicates || sum.Conflicts != conflicts || sum.Rejected != rejected {
		t.Errorf("%s: read %d, imported %d, duplicates %d, conflicts %d, rejected %d; want %d, %d, %d, %d, %d", what,
			sum.Read, sum.Imported, sum.Duplicates, sum.Conflicts, sum.Rejected, read, imported, duplicates, conflicts, rejected)
	}
}

func TestImportSamples(t *testing.T) {
	for _, tt := range sampleFiles {
		t.Run(tt.path, func(t *testing.T) {
			path := filepath.Join(samplesDir, tt.path)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			gz := filepath.Join(t.TempDir(), filepath.Base(path)+".gz")
			if err := os.WriteFile(gz, gzipBytes(t, data), 0o644); err != nil {
				t.Fatal(err)
			}
			for _, p := range []string{path, gz} {
				rd, err := NewReader(bytes.NewReader(data), p)
				if err != nil || rd.Format().Kind != tt.kind {
					t.Errorf("%s: format %v (%v), want %v", p, rd.Format(), err, tt.kind)
				}
				sink := newMemSink()
				first := importOnce(t, sink, Options{}, p)
				checkCounts(t, "first import of "+p, first, tt.read, tt.imported, tt.duplicates, tt.conflicts, tt.rejected)
				// Again: each record against the first of its uuid, as before.
				again := importOnce(t, sink, Options{}, p)
				checkCounts(t, "second import of "+p, again, tt.read, 0, tt.read-tt.rejected-tt.conflicts, tt.conflicts, tt.rejected)
				if first.Files != 1 || first.ExitCode(nil) != map[bool]int{true: 3, false: 0}[tt.rejected > 0 || tt.conflicts > 0] {
					t.Errorf("%s: %d files, exit code %d", p, first.Files, first.ExitCode(nil))
				}
			}
		})
	}
}

// rejectLine is one line of a rejects file.
type rejectLine struct {
	File         string  `json:"file"`
	Line         int     `json:"line"`
	Offset       int64   `json:"offset"`
	Reason       string  `json:"reason"`
	Record       *string `json:"record"`
	RecordBase64 string  `json:"record_base64"`
	Stored       *string `json:"stored"` // a conflicting duplicate's: the event held
}

// bytes returns the rejected record's original bytes.
func (r rejectLine) bytes(t *testing.T) []byte {
	t.Helper()
	if r.Record != nil {
		return []byte(*r.Record)
	}
	b, err := base64.StdEncoding.DecodeString(r.RecordBase64)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func readRejects(t *testing.T, path string) []rejectLine {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []rejectLine
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var r rejectLine
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("rejects line %s: %v", sc.Bytes(), err)
		}
		out = append(out, r)
	}
	return out
}

func TestImportSamplesDirectory(t *testing.T) {
	rejects := filepath.Join(t.TempDir(), "rejects.ndjson")
	sink := newMemSink()
	sum := importOnce(t, sink, Options{RejectsPath: rejects}, samplesDir)
	checkCounts(t, "first import", sum, 228, 135, 5, 63, 25)
	if sum.Files != 13 || len(sum.Skipped) != 26 || sum.ExitCode(nil) != ExitPartial {
		t.Errorf("%d files, %d skipped, exit %d; want 13, 26 (README, CSV, TSV, YAML), 3", sum.Files, len(sum.Skipped), sum.ExitCode(nil))
	}
	for _, s := range sum.Skipped {
		if ext := filepath.Ext(s); !slices.Contains([]string{".md", ".csv", ".tsv", ".yml"}, ext) {
			t.Errorf("skipped %s", s)
		}
	}
	var conflicts, others []rejectLine
	for _, r := range readRejects(t, rejects) {
		if r.Stored != nil {
			conflicts = append(conflicts, r)
		} else {
			others = append(others, r)
		}
	}
	checkPantherRejects(t, others)
	checkConflicts(t, conflicts, sum.Conflicts)
	again := importOnce(t, sink, Options{}, samplesDir)
	checkCounts(t, "second import", again, 228, 0, 140, 63, 25)
}

// checkConflicts checks the conflicting duplicates in a rejects file:
// want of them, each with its reason, its record byte for byte as it stands
// in its file, and the event held under its uuid, which has the same uuid
// and other content.
func checkConflicts(t *testing.T, got []rejectLine, want int) {
	t.Helper()
	if len(got) != want || want == 0 {
		t.Fatalf("%d conflicts in the rejects file, want %d (and some)", len(got), want)
	}
	for _, r := range got {
		data, err := os.ReadFile(r.File)
		if err != nil {
			t.Fatal(err)
		}
		rec := r.bytes(t)
		if !bytes.Equal(data[r.Offset:r.Offset+int64(len(rec))], rec) {
			t.Errorf("%s:%d: the conflicting record is not the file's bytes at %d", r.File, r.Line, r.Offset)
		}
		held, err := logevent.Decode([]byte(*r.Stored))
		if err != nil {
			t.Fatalf("%s:%d: stored event: %v", r.File, r.Line, err)
		}
		e, err := logevent.Decode(rec)
		if err != nil || e.UUID != held.UUID || backend.SameContent(rec, []byte(*r.Stored)) ||
			!strings.HasPrefix(r.Reason, "conflicting duplicate: uuid "+strconv.Quote(e.UUID)+" is held with other content") {
			t.Errorf("%s:%d: conflict %q of %s against %.60s (%v)", r.File, r.Line, r.Reason, e.UUID, *r.Stored, err)
		}
	}
}

// checkPantherRejects checks the rejects of the panther sample: the lines
// and reasons logevent.Decode gives, and each record byte for byte.
func checkPantherRejects(t *testing.T, got []rejectLine) {
	t.Helper()
	path := filepath.Join(samplesDir, "panther/panther-okta-test-events.ndjson")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fileLines := strings.Split(string(data), "\n")
	reasons := map[int]string{25: `published: not a time: "redacted"`, 29: "published: missing", 30: "published: missing", 32: "published: missing", 45: "published: missing"}
	for _, n := range []int{26, 27, 28} {
		reasons[n] = reasons[25]
	}
	for _, n := range []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 33, 34, 35, 36, 37} {
		reasons[n] = "uuid: missing"
	}
	if len(got) != len(reasons) {
		t.Fatalf("%d rejects, want %d", len(got), len(reasons))
	}
	for _, r := range got {
		if r.File != path || r.Reason != reasons[r.Line] {
			t.Errorf("reject %s:%d %q, want %s with %q", r.File, r.Line, r.Reason, path, reasons[r.Line])
			continue
		}
		if rec := r.bytes(t); string(rec) != fileLines[r.Line-1] || !bytes.Equal(data[r.Offset:r.Offset+int64(len(rec))], rec) {
			t.Errorf("reject on line %d is not the line's exact text", r.Line)
		}
	}
}
