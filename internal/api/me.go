package api

import (
	"net/http"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/web"
)

type meJSON struct {
	User        userJSON        `json:"user"`
	Permissions []access.Action `json:"permissions"`
}

func (h *Handler) getMe(w http.ResponseWriter, r *http.Request) error {
	cur := web.Session(r).(*accounts.Current)
	me := meJSON{User: toUserJSON(cur.User), Permissions: []access.Action{}}
	for _, a := range access.Actions {
		if access.Can(cur.Actor, a) {
			me.Permissions = append(me.Permissions, a)
		}
	}
	writeJSON(w, http.StatusOK, me)
	return nil
}
