package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"sync"

	"github.com/oktascope/oktascope/internal/render"
)

//go:embed assets/app.css assets/app.js assets/favicon.svg
var assetFS embed.FS

// asset is an embedded file and its content hash.
type asset struct {
	body []byte
	etag string
	kind string // Content-Type
}

// assetTable holds the embedded assets, read once: this package's, and the
// pictures' script and CSS, which the HTML reports share (internal/render).
var assetTable = sync.OnceValue(func() map[string]asset {
	table := map[string]asset{}
	add := func(name string, body []byte) {
		sum := sha256.Sum256(body)
		kind := mime.TypeByExtension(path.Ext(name))
		if kind == "" {
			kind = "application/octet-stream"
		}
		table[name] = asset{body: body, etag: `"` + hex.EncodeToString(sum[:8]) + `"`, kind: kind}
	}
	entries, _ := fs.ReadDir(assetFS, "assets")
	for _, entry := range entries {
		if body, err := assetFS.ReadFile("assets/" + entry.Name()); err == nil {
			add(entry.Name(), body)
		}
	}
	add("pictures.js", render.PicturesJS)
	add("pictures.css", render.PicturesCSS)
	return table
})

// assetURL is the address of an embedded asset, with its hash, so that a
// new binary's assets are never taken from a stale cache.
func assetURL(name string) string {
	a, ok := assetTable()[name]
	if !ok {
		return "/assets/" + name
	}
	return "/assets/" + name + "?v=" + strings.Trim(a.etag, `"`)
}

// assetHandler serves the embedded assets, revalidated by ETag.
func assetHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, ok := assetTable()[strings.TrimPrefix(r.URL.Path, "/assets/")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("Content-Type", a.kind)
		h.Set("Cache-Control", "no-cache")
		h.Set("ETag", a.etag)
		if r.Header.Get("If-None-Match") == a.etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		if r.Method != http.MethodHead {
			_, _ = w.Write(a.body)
		}
	})
}
