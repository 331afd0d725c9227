package api

import (
	"net/http"
	"strconv"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/audit"
)

func (h *Handler) listAudit(w http.ResponseWriter, r *http.Request) error {
	scope, err := access.Authorize(actor(r), access.ViewAudit)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	limit, _ := strconv.Atoi(q.Get("limit"))
	offset, _ := strconv.Atoi(q.Get("offset"))
	entries, total, err := h.audit.List(r.Context(), h.db, scope, audit.Filter{
		ActorUserID: q.Get("actor"), Action: q.Get("action"), Outcome: q.Get("outcome"),
		SubjectType: q.Get("subject_type"), SubjectID: q.Get("subject"), Limit: limit, Offset: max(offset, 0),
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"total": total, "entries": entries})
	return nil
}
