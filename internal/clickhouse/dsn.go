package clickhouse

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Scheme starts every ClickHouse DSN.
const Scheme = "clickhouse://"

// IsDSN reports whether s names a ClickHouse backend rather than a store
// file.
func IsDSN(s string) bool {
	return len(s) >= len(Scheme) && strings.EqualFold(s[:len(Scheme)], Scheme)
}

// config is a parsed DSN:
//
//	clickhouse://[USER[:PASSWORD]@]HOST[:PORT][/DATABASE][?cluster=NAME&secure=true&compress=false&max_execution_time=SECONDS]
type config struct {
	addr     string // host:port of the server every query goes to
	database string
	cluster  string // "" for a single server
	user     string
	password string
	secure   bool
	// compress: LZ4 on the wire; by default unless the server is on this
	// machine (loopback), where compressing costs CPU and saves nothing.
	compress bool
	// maxExecution bounds every query on the server (max_execution_time):
	// a cancelled context does not stop a query there.
	maxExecution time.Duration
}

// Defaults of a DSN.
const (
	defaultPort         = "9000"
	defaultDatabase     = "oktascope"
	defaultMaxExecution = 10 * time.Minute
)

// names are the identifiers a DSN may give as database or cluster.
var names = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,62}$`)

func parseDSN(s string) (*config, error) {
	if !IsDSN(s) {
		return nil, fmt.Errorf("not a ClickHouse DSN (%s…)", Scheme)
	}
	u, err := url.Parse(Scheme + s[len(Scheme):])
	if err != nil {
		return nil, errors.New("invalid ClickHouse DSN: " + redactError(err))
	}
	c := &config{addr: u.Host, database: strings.Trim(u.Path, "/"), maxExecution: defaultMaxExecution}
	if c.addr == "" {
		return nil, errors.New("ClickHouse DSN without a host: " + Scheme + "HOST:PORT/DATABASE")
	}
	if _, _, err := net.SplitHostPort(c.addr); err != nil {
		c.addr = net.JoinHostPort(u.Hostname(), defaultPort)
	}
	if c.database == "" {
		c.database = defaultDatabase
	}
	host := u.Hostname()
	ip := net.ParseIP(host)
	c.compress = !strings.EqualFold(host, "localhost") && (ip == nil || !ip.IsLoopback())
	if !names.MatchString(c.database) {
		return nil, fmt.Errorf("ClickHouse database %q: use letters, digits and _", c.database)
	}
	if u.User != nil {
		c.user = u.User.Username()
		c.password, _ = u.User.Password()
	}
	params, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, fmt.Errorf("ClickHouse DSN parameters: %w", err)
	}
	for key, values := range params {
		v := values[len(values)-1]
		switch key {
		case "cluster":
			if !names.MatchString(v) {
				return nil, fmt.Errorf("ClickHouse cluster %q: use letters, digits and _", v)
			}
			c.cluster = v
		case "secure":
			c.secure, err = strconv.ParseBool(v)
			if err != nil {
				return nil, fmt.Errorf("ClickHouse DSN: secure=%q: want true or false", v)
			}
		case "compress":
			c.compress, err = strconv.ParseBool(v)
			if err != nil {
				return nil, fmt.Errorf("ClickHouse DSN: compress=%q: want true or false", v)
			}
		case "max_execution_time":
			n, err := strconv.Atoi(v)
			if err != nil || n <= 0 {
				return nil, fmt.Errorf("ClickHouse DSN: max_execution_time=%q: want a number of seconds", v)
			}
			c.maxExecution = time.Duration(n) * time.Second
		default:
			return nil, fmt.Errorf("ClickHouse DSN: unknown parameter %q (known: cluster, secure, compress, max_execution_time)", key)
		}
	}
	return c, nil
}

// location is the DSN without credentials.
func (c *config) location() string {
	u := url.URL{Scheme: "clickhouse", Host: c.addr, Path: "/" + c.database}
	q := url.Values{}
	if c.cluster != "" {
		q.Set("cluster", c.cluster)
	}
	if c.secure {
		q.Set("secure", "true")
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// redactError is url.Parse's error without the input, which holds the
// credentials.
func redactError(err error) string {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		return uerr.Err.Error()
	}
	return "malformed"
}
