package page

import (
	"net/http"

	"waymark.city/waymark/internal/web"
)

// Sheet is an export a capability writes as CSV or XLSX (web.Sheet).
type Sheet = web.Sheet

// Download sends sheet as the file name.ext ("csv" or "xlsx"); a failure
// to write it is an error page rather than half a download.
func (k *Kit) Download(w http.ResponseWriter, r *http.Request, name, ext string, sheet Sheet) {
	if err := web.SendSheet(w, r, name, ext, sheet); err != nil {
		k.Fail(w, r, err)
	}
}
