package statisticsui

import (
	"bytes"
	"net/http"
	"strings"

	"waymark.city/waymark/internal/statistics"
	"waymark.city/waymark/internal/ui/page"
)

// fileName is an approved release's download name: preset, period and
// recipient, in letters, digits and dashes.
func fileName(rel *statistics.Release) string {
	name := rel.Preset + "-" + rel.Period.String() + "-" + rel.Recipient
	return strings.Trim(strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-':
			return r
		}
		return '-'
	}, name), "-")
}

// downloadSheet sends an approved release as CSV or XLSX (ext).
func (h *Handler) downloadSheet(ext string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		rel, err := h.statistics.Published(r.Context(), page.Actor(r), r.PathValue("id"), ext)
		if err != nil {
			h.kit.Fail(w, r, err)
			return
		}
		h.kit.Download(w, r, fileName(rel), ext, statistics.ReleaseSheet{Release: rel})
	}
}

// downloadSDMX sends an approved release as an SDMX-CSV 2.0 message.
func (h *Handler) downloadSDMX(w http.ResponseWriter, r *http.Request) {
	rel, err := h.statistics.Published(r.Context(), page.Actor(r), r.PathValue("id"), "sdmx")
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := rel.WriteSDMX(&buf); err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/vnd.sdmx.data+csv; version=2.0.0; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+fileName(rel)+`.sdmx.csv"`)
	_, _ = w.Write(buf.Bytes())
}
