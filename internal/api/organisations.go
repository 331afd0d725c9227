package api

import (
	"net/http"
	"time"

	"waymark.city/waymark/internal/accounts"
)

type organisationJSON struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	Kind       string     `json:"kind"`
	Phone      string     `json:"phone"`
	Hours      string     `json:"hours"`
	Users      int        `json:"active_users"`
	CreatedAt  time.Time  `json:"created_at"`
	DisabledAt *time.Time `json:"disabled_at,omitempty"`
}

func toOrganisationJSON(o accounts.Organisation) organisationJSON {
	return organisationJSON{ID: o.ID, Name: o.Name, Kind: string(o.Kind), Phone: o.Phone, Hours: o.Hours, Users: o.Users,
		CreatedAt: o.CreatedAt, DisabledAt: o.DisabledAt}
}

func (h *Handler) listOrganisations(w http.ResponseWriter, r *http.Request) error {
	orgs, err := h.accounts.ListOrganisations(r.Context(), actor(r))
	if err != nil {
		return err
	}
	out := make([]organisationJSON, 0, len(orgs))
	for _, o := range orgs {
		out = append(out, toOrganisationJSON(o))
	}
	writeJSON(w, http.StatusOK, map[string]any{"organisations": out})
	return nil
}

func (h *Handler) createOrganisation(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Name  string `json:"name"`
		Kind  string `json:"kind"`
		Phone string `json:"phone"`
		Hours string `json:"hours"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	org, err := h.accounts.CreateOrganisation(r.Context(), actor(r), accounts.NewOrganisation{Name: in.Name, Kind: accounts.OrgKind(in.Kind),
		Reach: accounts.Reach{Phone: in.Phone, Hours: in.Hours}})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, toOrganisationJSON(org))
	return nil
}

// setOrganisationReach records a partner's phone number and hours; both
// are replaced, "" clears one.
func (h *Handler) setOrganisationReach(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Phone string `json:"phone"`
		Hours string `json:"hours"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	org, err := h.accounts.SetReach(r.Context(), actor(r), r.PathValue("id"), accounts.Reach{Phone: in.Phone, Hours: in.Hours})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toOrganisationJSON(org))
	return nil
}
