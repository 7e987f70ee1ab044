package oktaapi

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

const testSecret = "00abcSECRETtokenVALUE123"

func TestTokenNeverPrints(t *testing.T) {
	tok := SSWSToken(testSecret)
	holder := struct {
		Public Token
		hidden Token
		Ptr    *Token
	}{tok, tok, &tok}
	var outs []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
		outs = append(outs, fmt.Sprintf(verb, tok), fmt.Sprintf(verb, holder), fmt.Sprintf(verb, &holder))
	}
	b, err := json.Marshal(holder)
	if err != nil {
		t.Fatal(err)
	}
	outs = append(outs, string(b), tok.String(), tok.GoString())
	for _, s := range outs {
		if strings.Contains(s, testSecret) {
			t.Fatalf("token printed: %s", s)
		}
	}
	if tok.header() != "SSWS "+testSecret {
		t.Fatalf("header = %q", tok.header())
	}
}

func TestParseToken(t *testing.T) {
	for _, c := range []struct{ in, scheme, header string }{
		{"abc", SchemeSSWS, "SSWS abc"},
		{"  abc\n", SchemeSSWS, "SSWS abc"},
		{"SSWS abc", SchemeSSWS, "SSWS abc"},
		{"ssws abc", SchemeSSWS, "SSWS abc"},
		{"Bearer eyJ.x.y", SchemeBearer, "Bearer eyJ.x.y"},
		{"", "", ""},
	} {
		tok := ParseToken(c.in)
		if tok.Scheme() != c.scheme || tok.header() != c.header {
			t.Errorf("ParseToken(%q) = %s %q", c.in, tok.Scheme(), tok.header())
		}
	}
}

func TestCheckOrg(t *testing.T) {
	for _, c := range []struct {
		url string
		ok  bool
	}{
		{"https://acme.okta.com", true},
		{"acme.okta.com", true},
		{"http://127.0.0.1:8080", true},
		{"http://127.9.8.7", true},
		{"http://[::1]:9000", true},
		{"http://localhost:1234", true},
		{"http://acme.okta.com", false},
		{"http://10.0.0.1", false},
		{"ftp://acme.okta.com", false},
		{"https://user:pw@acme.okta.com", false},
		{"", false},
	} {
		_, err := ParseOrg(c.url)
		if (err == nil) != c.ok {
			t.Errorf("ParseOrg(%q): err = %v, want ok=%v", c.url, err, c.ok)
		}
	}
}
