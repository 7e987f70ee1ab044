package watch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	json "github.com/goccy/go-json"

	"github.com/oktascope/oktascope/internal/render"
)

// Webhook formats.
const (
	// FormatJSON posts the alert's JSON as it is.
	FormatJSON = "json"
	// FormatSlack posts {"text": …}, a message in Slack's mrkdwn, which
	// Slack's incoming webhooks (and Mattermost's, and Teams' Slack
	// compatible ones) take.
	FormatSlack = "slack"
)

// Webhook posts each alert to a URL.
type Webhook struct {
	url    *url.URL
	format string
	client *http.Client
}

// webhookTimeout bounds one delivery.
const webhookTimeout = 10 * time.Second

// NewWebhook returns the output posting to rawURL in format (json or
// slack). The URL must be https, or http to a loopback address: alerts
// name users and addresses. It may hold a secret (a Slack webhook's path
// does): it is never printed; messages name its host only.
func NewWebhook(rawURL, format string) (*Webhook, error) {
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if err != nil || u.Host == "" {
		return nil, errors.New("webhook: not an absolute URL")
	}
	switch {
	case u.User != nil:
		return nil, errors.New("webhook: the URL must not hold credentials")
	case u.Scheme == "https":
	case u.Scheme == "http" && isLoopback(u.Hostname()):
	default:
		return nil, fmt.Errorf("webhook %s: use https (http only to a loopback address)", u.Host)
	}
	if format == "" {
		format = FormatJSON
	}
	if format != FormatJSON && format != FormatSlack {
		return nil, fmt.Errorf("webhook format %q: want json or slack", format)
	}
	client := &http.Client{
		Timeout: webhookTimeout,
		// A redirect could carry the alert elsewhere: refused.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return &Webhook{url: u, format: format, client: client}, nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(strings.TrimSuffix(host, "."), "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Name is "webhook".
func (h *Webhook) Name() string { return "webhook" }

// Send posts the alert: 2xx is delivered; 408, 429 and 5xx (and network
// errors) are retried, after Retry-After when given; any other status is
// a PermanentError.
func (h *Webhook) Send(ctx context.Context, alert []byte) error {
	body := alert
	if h.format == FormatSlack {
		var a render.Alert
		if err := json.Unmarshal(alert, &a); err != nil {
			return &PermanentError{Err: fmt.Errorf("webhook: %w", err)}
		}
		body, _ = json.Marshal(map[string]string{"text": render.SlackText(a)})
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.url.String(), bytes.NewReader(body))
	if err != nil {
		return &PermanentError{Err: fmt.Errorf("webhook %s: %w", h.url.Host, err)}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "oktascope")
	resp, err := h.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL may hold a secret
		}
		return fmt.Errorf("webhook %s: %w", h.url.Host, err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	status := resp.StatusCode
	switch {
	case status >= 200 && status < 300:
		return nil
	case status == http.StatusRequestTimeout || status == http.StatusTooManyRequests || status >= 500:
		err := fmt.Errorf("webhook %s: HTTP %d", h.url.Host, status)
		if s, e := strconv.Atoi(resp.Header.Get("Retry-After")); e == nil && s > 0 {
			return &RetryAfterError{Err: err, Wait: time.Duration(s) * time.Second}
		}
		return err
	}
	return &PermanentError{Err: fmt.Errorf("webhook %s: HTTP %d", h.url.Host, status)}
}
