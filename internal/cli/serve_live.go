package cli

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/pflag"

	"github.com/oktascope/oktascope/internal/oktaapi"
)

// serveLiveFlags are serve's flags for a live org (docs/watch.md): the
// Event Hook receiver, and the token endpoint of the fake org that lets a
// collect's OAuth flow run offline.
type serveLiveFlags struct {
	oauthClients []string
	oauthDPoP    bool
}

func (f *serveLiveFlags) register(fl *pflag.FlagSet) {
	fl.StringArrayVar(&f.oauthClients, "oauth-client", nil, "serve "+oktaapi.TokenPath+" for a service app: CLIENT_ID=PUBLIC_KEY_FILE (PEM or JWK; repeatable)")
	fl.BoolVar(&f.oauthDPoP, "oauth-dpop", false, "the --oauth-client apps require DPoP")
}

// oauthOptions reads the --oauth-client apps, or returns nil without any.
func oauthOptions(f *serveLiveFlags) (*oktaapi.OAuthOptions, error) {
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
func liveNote(oauth *oktaapi.OAuthOptions) string {
	var parts []string
	if oauth != nil {
		parts = append(parts, fmt.Sprintf("OAuth 2.0 tokens at %s for %d app(s)", oktaapi.TokenPath, len(oauth.Clients)))
	}
	if len(parts) == 0 {
		return ""
	}
	return "oktascope: receiving " + strings.Join(parts, "; ")
}
