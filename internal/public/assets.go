package public

import (
	"io/fs"
	"net/http"
	"path"
)

// static serves the public pages' stylesheet and script. They are versioned
// by a query string, so they may be cached for long.
func (h *Handler) static(w http.ResponseWriter, r *http.Request) {
	name := path.Base(r.PathValue("file"))
	if name != "public.css" && name != "pow.js" && name != "favicon.svg" {
		http.NotFound(w, r)
		return
	}
	sub, _ := fs.Sub(assets, "static")
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	http.ServeFileFS(w, r, sub, name)
}
