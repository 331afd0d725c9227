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
	Users      int        `json:"active_users"`
	CreatedAt  time.Time  `json:"created_at"`
	DisabledAt *time.Time `json:"disabled_at,omitempty"`
}

func toOrganisationJSON(o accounts.Organisation) organisationJSON {
	return organisationJSON{ID: o.ID, Name: o.Name, Kind: string(o.Kind), Users: o.Users, CreatedAt: o.CreatedAt, DisabledAt: o.DisabledAt}
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
		Name string `json:"name"`
		Kind string `json:"kind"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	org, err := h.accounts.CreateOrganisation(r.Context(), actor(r), accounts.NewOrganisation{Name: in.Name, Kind: accounts.OrgKind(in.Kind)})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, toOrganisationJSON(org))
	return nil
}
