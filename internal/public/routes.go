package public

import (
	"net/http"

	"waymark.city/waymark/internal/web"
)

// Paths of the public pages.
const (
	PathReport   = "/report"
	PathFollowUp = "/report/follow-up"
	PathReply    = "/report/follow-up/reply"
	PathAssets   = "/report/assets/"
)

// Mount registers the public routes on mux. This is the only route table
// of the public pages.
func (h *Handler) Mount(mux *http.ServeMux) {
	route := func(pattern string, fn http.HandlerFunc) { mux.Handle(pattern, web.Anonymous(fn)) }
	route("GET "+PathReport, h.reportForm)
	route("POST "+PathReport, h.reportSubmit)
	route("GET "+PathFollowUp, h.followUpForm)
	route("POST "+PathFollowUp, h.followUpOpen)
	route("POST "+PathReply, h.followUpReply)
	route("GET "+PathAssets+"{file}", h.static)
}

// TakesFiles reports whether r is the report form's POST, which may carry
// attachments and sets its own, larger limit (intake.Config.MaxBody) in its
// handler; see web.LimitBody.
func TakesFiles(r *http.Request) bool { return r.Method == http.MethodPost && r.URL.Path == PathReport }
