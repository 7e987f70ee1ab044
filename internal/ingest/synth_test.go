package ingest

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"testing"
)

// eventTemplate is a realistic sign-in event (the shape of the Azure
// Sentinel sample), with a %08d placeholder in its uuid.
const eventTemplate = `{"actor":{"id":"00uunrjAXkpQdiZqQ693","type":"User","alternateId":"freetrialorgcreator@okta.com","displayName":"FreeTrial OrgCreator","detailEntry":null},"client":{"userAgent":{"rawUserAgent":"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/112.0.0.0 Safari/537.36","os":"Windows 10","browser":"CHROME"},"zone":"OFF_NETWORK","device":"Computer","id":null,"ipAddress":"52.200.197.156","geographicalContext":{"city":"Ashburn","state":"Virginia","country":"United States","postalCode":"20149","geolocation":{"lat":39.0469,"lon":-77.4903}}},"device":null,"authenticationContext":{"authenticationProvider":null,"credentialProvider":null,"credentialType":null,"issuer":null,"interface":null,"authenticationStep":0,"externalSessionId":"102mNoXFxaNSvurrsMTkmHV2A"},"displayMessage":"User login to Okta","eventType":"user.session.start","outcome":{"result":"SUCCESS","reason":null},"published":"2023-04-19T07:06:22.519Z","securityContext":{"asNumber":14618,"asOrg":"amazon technologies inc.","isp":"amazon.com  inc.","domain":"amazonaws.com","isProxy":false},"severity":"INFO","debugContext":{"debugData":{"requestId":"ZD-SHu-gXY8TrBBrp7SYfQAAB1w","dtHash":"b1dd1a3e2e1b9a0c4a3f8b7e0f6a3f5b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f","requestUri":"/api/v1/authn","threatSuspected":"false","url":"/api/v1/authn?"}},"legacyEventType":"core.user_auth.login_success","transaction":{"type":"WEB","id":"ZD-SHu-gXY8TrBBrp7SYfQAAB1w","detail":{}},"uuid":"c5f6a8e2-de79-11ed-%08d","version":"0","request":{"ipChain":[{"ip":"52.200.197.156","geographicalContext":{"city":"Ashburn","state":"Virginia","country":"United States","postalCode":"20149","geolocation":{"lat":39.0469,"lon":-77.4903}},"version":"V4","source":null}]},"target":[{"id":"pfd1xkg7w3bXyZ5oB697","type":"AuthenticatorEnrollment","alternateId":"unknown","displayName":"Password","detailEntry":null}]}`

// csvTemplate is one row of an Admin Console export for csvHeaderLine.
const csvHeaderLine = "uuid,timestamp,event_type,severity,display_message,actor.id,actor.alternate_id,actor.display_name,client.ip_address,client.user_agent.raw_user_agent,client.geographical_context.city,client.geographical_context.geolocation.lat,client.geographical_context.geolocation.lon,outcome.result,outcome.reason,authentication_context.external_session_id,security_context.as_number,security_context.is_proxy,target0.id,target0.type,target0.display_name\n"

const csvTemplate = `c5f6a8e2-de79-11ed-%08d,2023-04-19T07:06:22.519Z,user.session.start,INFO,User login to Okta,00uunrjAXkpQdiZqQ693,freetrialorgcreator@okta.com,"OrgCreator, FreeTrial",52.200.197.156,"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/112.0.0.0 Safari/537.36",Ashburn,39.0469,-77.4903,SUCCESS,,102mNoXFxaNSvurrsMTkmHV2A,14618,false,pfd1xkg7w3bXyZ5oB697,AuthenticatorEnrollment,Password` + "\n"

// synthKind is the shape a synthReader writes.
type synthKind int

const (
	synthNDJSON synthKind = iota
	synthArray
	synthCSV
)

// synthReader writes events of a kind on the fly, about size bytes, so that
// tests can stream inputs far larger than what they hold in memory.
type synthReader struct {
	kind  synthKind
	size  int64
	done  int64
	n     int
	buf   []byte
	ended bool
}

func newSynthReader(kind synthKind, size int64) *synthReader {
	r := &synthReader{kind: kind, size: size}
	switch kind {
	case synthArray:
		r.buf = []byte("[\n")
	case synthCSV:
		r.buf = []byte(csvHeaderLine)
	}
	return r
}

func (r *synthReader) Read(p []byte) (int, error) {
	for len(r.buf) < len(p) && !r.ended {
		r.next()
	}
	if len(r.buf) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.buf)
	r.buf = r.buf[:copy(r.buf, r.buf[n:])]
	r.done += int64(n)
	return n, nil
}

// next appends one more event, or the end of the input.
func (r *synthReader) next() {
	if r.done+int64(len(r.buf)) >= r.size {
		if r.kind == synthArray {
			r.buf = append(r.buf, "\n]\n"...)
		}
		r.ended = true
		return
	}
	switch r.kind {
	case synthNDJSON:
		r.buf = fmt.Appendf(r.buf, eventTemplate+"\n", r.n)
	case synthArray:
		if r.n > 0 {
			r.buf = append(r.buf, ",\n"...)
		}
		r.buf = fmt.Appendf(r.buf, eventTemplate, r.n)
	case synthCSV:
		r.buf = fmt.Appendf(r.buf, csvTemplate, r.n)
	}
	r.n++
}

// synthBytes returns a whole synthetic input of about size bytes.
func synthBytes(t testing.TB, kind synthKind, size int64) []byte {
	t.Helper()
	data, err := io.ReadAll(newSynthReader(kind, size))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// synthLimits are the limits for synthetic inputs compressed: their events
// differ only in a counter and compress about 140 times (real exports 4 to
// 20 times), past DefaultMaxGzipRatio.
var synthLimits = Limits{MaxGzipRatio: 1000}

func gzipBytes(t testing.TB, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
