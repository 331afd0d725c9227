package api

import (
	"net/http"
	"strconv"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
)

// userJSON carries no personal data: names and contact details are only
// shown on the page after step-up.
type userJSON struct {
	ID          string     `json:"id"`
	Username    string     `json:"username"`
	Role        string     `json:"role"`
	OrgID       string     `json:"organisation_id"`
	OrgName     string     `json:"organisation_name"`
	Language    string     `json:"language,omitempty"`
	TOTPEnabled bool       `json:"totp_enabled"`
	CreatedAt   time.Time  `json:"created_at"`
	DisabledAt  *time.Time `json:"disabled_at,omitempty"`
	// Pending is true until the owner activates the account.
	Pending bool `json:"pending_activation"`
}

// activationJSON says where a new account's activation link went: to the
// owner by mail, or (no mail configured) here, once, to hand over.
type activationJSON struct {
	Path       string    `json:"path,omitempty"`
	ExpiresAt  time.Time `json:"expires_at"`
	Mailed     bool      `json:"mailed"`
	MailFailed bool      `json:"mail_failed,omitempty"`
}

func toUserJSON(u accounts.User) userJSON {
	return userJSON{ID: u.ID, Username: u.Username, Role: string(u.Role), OrgID: u.OrgID, OrgName: u.OrgName,
		Language: u.Language, TOTPEnabled: u.TOTPEnabled, CreatedAt: u.CreatedAt, DisabledAt: u.DisabledAt, Pending: u.Pending}
}

func (h *Handler) listUsers(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	limit, _ := strconv.Atoi(q.Get("limit"))
	offset, _ := strconv.Atoi(q.Get("offset"))
	f := accounts.UserFilter{OrgID: q.Get("organisation_id"), IncludeDisabled: true, Limit: limit, Offset: offset}
	users, err := h.accounts.ListUsers(r.Context(), actor(r), f)
	if err != nil {
		return err
	}
	total, err := h.accounts.CountUsers(r.Context(), actor(r), f)
	if err != nil {
		return err
	}
	out := make([]userJSON, 0, len(users))
	for _, u := range users {
		out = append(out, toUserJSON(u))
	}
	writeJSON(w, http.StatusOK, map[string]any{"total": total, "users": out})
	return nil
}

func (h *Handler) getUser(w http.ResponseWriter, r *http.Request) error {
	u, err := h.accounts.GetUser(r.Context(), actor(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toUserJSON(u))
	return nil
}

func (h *Handler) createUser(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		OrgID    string `json:"organisation_id"`
		Username string `json:"username"`
		Role     string `json:"role"`
		// Password is refused with a field error: the owner sets it.
		Password string `json:"password"`
		Language string `json:"language"`
		Name     string `json:"name"`
		Email    string `json:"email"`
		Phone    string `json:"phone"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	u, link, err := h.accounts.CreateUser(r.Context(), actor(r), accounts.NewUser{
		OrgID: in.OrgID, Username: in.Username, Role: access.Role(in.Role), Password: in.Password, Language: in.Language,
		Profile: accounts.Profile{DisplayName: in.Name, Email: in.Email, Phone: in.Phone},
	})
	if err != nil {
		return err
	}
	a := activationJSON{ExpiresAt: link.ExpiresAt, Mailed: link.Mailed, MailFailed: link.MailFailed}
	if link.Token != "" {
		a.Path = "/activate/" + link.Token
	}
	writeJSON(w, http.StatusCreated, struct {
		userJSON
		Activation activationJSON `json:"activation"`
	}{toUserJSON(u), a})
	return nil
}
