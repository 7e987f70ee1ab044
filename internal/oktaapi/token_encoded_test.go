package oktaapi

import (
	"context"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/oktascope/oktascope/internal/backend"
)

// percentAll percent-encodes every byte of s, in upper or lower case hex.
func percentAll(s string, lower bool) string {
	const upper, low = "0123456789ABCDEF", "0123456789abcdef"
	hex := upper
	if lower {
		hex = low
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		b.WriteByte('%')
		b.WriteByte(hex[s[i]>>4])
		b.WriteByte(hex[s[i]&0xf])
	}
	return b.String()
}

// encodedSecrets are the forms of testSecret a URL or a message may carry
// (and that redaction must find).
func encodedSecrets() map[string]string {
	half := len(testSecret) / 2
	return map[string]string{
		"plain":                 testSecret,
		"every byte, upper hex": percentAll(testSecret, false),
		"every byte, lower hex": percentAll(testSecret, true),
		"some bytes":            testSecret[:half] + percentAll(testSecret[half:half+3], true) + testSecret[half+3:],
		"double-encoded":        strings.ReplaceAll(percentAll(testSecret, false), "%", "%25"),
		"base64 of a state":     base64.StdEncoding.EncodeToString([]byte(`{"t":"` + testSecret + `"}`)),
		"base64url, offset 1":   base64.RawURLEncoding.EncodeToString([]byte("x" + testSecret + "y")),
		"base64, offset 2":      base64.StdEncoding.EncodeToString([]byte("xy" + testSecret)),
		"base64 in a query":     strings.NewReplacer("+", "%2B", "/", "%2F", "=", "%3D").Replace(base64.StdEncoding.EncodeToString([]byte("a=" + testSecret))),
	}
}

func TestRedactionCatchesEncodedTokens(t *testing.T) {
	tok := SSWSToken(testSecret)
	forms := encodedSecrets()
	if len(forms) == 0 {
		t.Fatal("no cases")
	}
	for name, form := range forms {
		text := "https://acme.okta.com/api/v1/logs?after=" + form + "&limit=1000"
		if !tok.leaks(text) {
			t.Errorf("%s: leaks() misses %s", name, text)
		}
		got := tok.redact(text)
		if tok.leaks(got) || !strings.Contains(got, redacted) || !strings.HasPrefix(got, "https://acme.okta.com/api/v1/logs?after=") {
			t.Errorf("%s: redact gives %s", name, got)
		}
	}
	for _, clean := range []string{"https://acme.okta.com/api/v1/logs?after=1&limit=1000", "%", "%2", "%25", "%%41", testSecret[:10]} {
		if tok.leaks(clean) {
			t.Errorf("leaks(%q): a false alarm", clean)
		}
	}
}

// A next link carrying the token percent-encoded is refused, and nothing
// of it reaches the checkpoint, the error or the progress reports.
func TestCollectRefusesEncodedTokenInNextLink(t *testing.T) {
	for name, form := range encodedSecrets() {
		t.Run(name, func(t *testing.T) {
			org, reqs := stub(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Link", `<http://`+r.Host+LogsPath+`?after=`+form+`>; rel="next"`)
				w.Write([]byte("[" + eventJSON(1) + "]"))
			})
			rec := &recorder{}
			p := Params{Since: time.Now().Add(-time.Hour), Until: time.Now()}
			sink, prog, err := collect(t, org, p, func(c *Collector) {
				c.Token, c.Checkpoint, c.Progress = SSWSToken(testSecret), c.Sink.(backend.Checkpoints), rec.add
			})
			if err == nil || !strings.Contains(err.Error(), "contains the API token") || len(*reqs) != 1 {
				t.Fatalf("err %v after %d requests", err, len(*reqs))
			}
			cp, _, cpErr := sink.LoadCheckpoint(context.Background(), CheckpointKey(org, p))
			if cpErr != nil {
				t.Fatal(cpErr)
			}
			texts := []string{err.Error(), cp, prog.String()}
			for _, p := range rec.all() {
				texts = append(texts, p.String())
			}
			tok := SSWSToken(testSecret)
			for _, s := range texts {
				if tok.leaks(s) || strings.Contains(s, form) {
					t.Errorf("the token leaked: %s", s)
				}
			}
		})
	}
}
