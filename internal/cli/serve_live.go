package cli

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/pflag"

	"github.com/oktascope/oktascope/internal/oktaapi"
	"github.com/oktascope/oktascope/internal/render"
	"github.com/oktascope/oktascope/internal/web"
)

// serveLiveFlags are serve's flags for a live org (docs/watch.md): the
// Event Hook receiver, and the token endpoint of the fake org that lets a
// collect's OAuth flow run offline.
type serveLiveFlags struct {
	hookSecretEnv, hookSecretFile, hookHeader string
	oauthClients                              []string
	oauthDPoP                                 bool
}

func (f *serveLiveFlags) register(fl *pflag.FlagSet) {
	fl.StringVar(&f.hookSecretEnv, "event-hook-secret-env", "", "receive Okta Event Hooks at "+web.EventHookPath+": environment variable holding the secret Okta sends")
	fl.StringVar(&f.hookSecretFile, "event-hook-secret-file", "", "receive Okta Event Hooks: file holding the secret Okta sends")
	fl.StringVar(&f.hookHeader, "event-hook-header", web.DefaultEventHookHeader, "the header Okta sends the Event Hook secret in")
	fl.StringArrayVar(&f.oauthClients, "oauth-client", nil, "serve "+oktaapi.TokenPath+" for a service app: CLIENT_ID=PUBLIC_KEY_FILE (PEM or JWK; repeatable)")
	fl.BoolVar(&f.oauthDPoP, "oauth-dpop", false, "the --oauth-client apps require DPoP")
}

// eventHook returns the receiver's options, or nil when it is off.
func (f *serveLiveFlags) eventHook(env func(string) (string, bool)) (*web.EventHookOptions, error) {
	var secret string
	switch {
	case f.hookSecretEnv != "" && f.hookSecretFile != "":
		return nil, usageError("give --event-hook-secret-env or --event-hook-secret-file, not both")
	case f.hookSecretFile != "":
		data, err := os.ReadFile(f.hookSecretFile)
		if err != nil {
			return nil, usageError("--event-hook-secret-file: %v", err)
		}
		secret = strings.TrimSpace(string(data))
	case f.hookSecretEnv != "":
		value, _ := env(f.hookSecretEnv)
		secret = strings.TrimSpace(value)
	default:
		return nil, nil
	}
	if secret == "" {
		return nil, usageError("the Event Hook secret is empty: Okta must authenticate every request")
	}
	return &web.EventHookOptions{Secret: secret, Header: f.hookHeader}, nil
}

// oauthOptions reads the --oauth-client apps, or returns nil without any.
func (f *serveLiveFlags) oauthOptions() (*oktaapi.OAuthOptions, error) {
	if len(f.oauthClients) == 0 {
		if f.oauthDPoP {
			return nil, usageError("--oauth-dpop needs --oauth-client")
		}
		return nil, nil
	}
	opts := &oktaapi.OAuthOptions{Clients: map[string]oktaapi.OAuthClient{}}
	for _, spec := range f.oauthClients {
		id, file, ok := strings.Cut(spec, "=")
		if !ok || id == "" || file == "" {
			return nil, usageError("--oauth-client %q: want CLIENT_ID=PUBLIC_KEY_FILE", spec)
		}
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, usageError("--oauth-client %s: %v", id, err)
		}
		key, err := oktaapi.ParsePublicKey(data)
		if err != nil {
			return nil, usageError("--oauth-client %s: %s: %v", id, file, err)
		}
		opts.Clients[id] = oktaapi.OAuthClient{PublicKey: key, RequireDPoP: f.oauthDPoP}
	}
	return opts, nil
}

// liveNote says what serve receives besides the UI and the API.
func liveNote(hook *web.EventHookOptions, oauth *oktaapi.OAuthOptions) string {
	var parts []string
	if hook != nil {
		parts = append(parts, "Okta Event Hooks at "+web.EventHookPath+" (the secret in "+render.Terminal(hook.Header)+")")
	}
	if oauth != nil {
		parts = append(parts, fmt.Sprintf("OAuth 2.0 tokens at %s for %d app(s)", oktaapi.TokenPath, len(oauth.Clients)))
	}
	if len(parts) == 0 {
		return ""
	}
	return "oktascope: receiving " + strings.Join(parts, "; ")
}
