package procurementui

import (
	"net/http"

	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
)

// confirmation is the page that asks before something far-reaching is
// done to a contract (a subcontractor or a site taken off it, the contract
// ended): what happens, what stays, and the button that does it. A refusal
// (a site with checks, a subcontractor others hang on) shows on the same
// page.
type confirmation struct {
	// TitleKey, WhatKey and ButtonKey name the page, what happens and the
	// button; Name is what it happens to, Subject the contract.
	TitleKey, WhatKey, ButtonKey string
	Name, Subject                string
	// Action is where the button posts, with Status as the form's status
	// field when set; Back is the way out without doing it.
	Action, Status, Back string
}

func (h *Handler) renderConfirmation(w http.ResponseWriter, r *http.Request, status int, v *web.View, d confirmation) {
	v.Title = v.P.T(d.TitleKey, "name", d.Name)
	v.Data = d
	h.kit.Render(w, r, status, "procurement_confirm", v)
}

// describer says, from the request, what a confirmation page asks about.
type describer func(r *http.Request) (confirmation, error)

// ask shows the confirmation page describe gives.
func (h *Handler) ask(describe describer) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		d, err := describe(r)
		if err != nil {
			h.kit.Fail(w, r, err)
			return
		}
		h.renderConfirmation(w, r, http.StatusOK, h.kit.View(r, d.TitleKey), d)
	}
}

// confirm does what the confirmation page asked (act, which names where
// to go next); a refusal shows on the same page.
func (h *Handler) confirm(describe describer, act func(r *http.Request) (string, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		d, err := describe(r)
		if err != nil {
			h.kit.Fail(w, r, err)
			return
		}
		v := h.kit.View(r, d.TitleKey)
		failed := func(err error) {
			h.kit.FormFailed(w, r, v, err, func(status int) { h.renderConfirmation(w, r, status, v, d) })
		}
		if err := page.ParseForm(r); err != nil {
			failed(err)
			return
		}
		next, err := act(r)
		if err != nil {
			failed(err)
			return
		}
		http.Redirect(w, r, next, http.StatusSeeOther)
	}
}

// subcontractRemoval describes the removal of the subcontract in the path.
func (h *Handler) subcontractRemoval(r *http.Request) (confirmation, error) {
	ctx, actor, id := r.Context(), page.Actor(r), r.PathValue("id")
	c, err := h.svc.Contract(ctx, actor, id)
	if err != nil {
		return confirmation{}, err
	}
	chain, err := h.svc.Chain(ctx, actor, id)
	if err != nil {
		return confirmation{}, err
	}
	for _, k := range chain {
		if k.ID == r.PathValue("sub") {
			return confirmation{ButtonKey: "procurement.remove.confirm", TitleKey: "procurement.remove.subcontract_title", WhatKey: "procurement.remove.subcontract_what",
				Name: k.SupplierName, Subject: c.Subject, Action: "/procurement/contracts/" + id + "/subcontracts/" + k.ID + "/remove",
				Back: "/procurement/contracts/" + id + "#chain"}, nil
		}
	}
	return confirmation{}, apperr.New(apperr.NotFound, "error.not_found")
}

// removeSubcontract takes the subcontractor out of the chain.
func (h *Handler) removeSubcontract(r *http.Request) (string, error) {
	id := r.PathValue("id")
	if err := h.svc.RemoveSubcontract(r.Context(), page.Actor(r), id, r.PathValue("sub")); err != nil {
		return "", err
	}
	return "/procurement/contracts/" + id + "?done=subcontract_removed#chain", nil
}

// siteRemoval describes the removal of the site in the path.
func (h *Handler) siteRemoval(r *http.Request) (confirmation, error) {
	ctx, actor := r.Context(), page.Actor(r)
	site, err := h.svc.Site(ctx, actor, r.PathValue("id"))
	if err != nil {
		return confirmation{}, err
	}
	c, err := h.svc.Contract(ctx, actor, site.ContractID)
	if err != nil {
		return confirmation{}, err
	}
	return confirmation{ButtonKey: "procurement.remove.confirm", TitleKey: "procurement.remove.site_title", WhatKey: "procurement.remove.site_what", Name: site.Name, Subject: c.Subject,
		Action: "/procurement/sites/" + site.ID + "/remove", Back: "/procurement/sites/" + site.ID}, nil
}

// removeSite takes the site off its contract.
func (h *Handler) removeSite(r *http.Request) (string, error) {
	contractID, err := h.svc.RemoveSite(r.Context(), page.Actor(r), r.PathValue("id"))
	if err != nil {
		return "", err
	}
	return "/procurement/contracts/" + contractID + "?done=site_removed#sites", nil
}

// ending describes ending the contract: an ended contract is no longer
// reviewed and cannot be awarded again. The button posts to the status
// form.
func (h *Handler) ending(r *http.Request) (confirmation, error) {
	c, err := h.svc.Contract(r.Context(), page.Actor(r), r.PathValue("id"))
	if err != nil {
		return confirmation{}, err
	}
	return confirmation{TitleKey: "procurement.end.title", WhatKey: "procurement.end.what", ButtonKey: "procurement.award.end",
		Name: c.Subject, Subject: c.Subject, Action: "/procurement/contracts/" + c.ID + "/status", Status: "ended",
		Back: "/procurement/contracts/" + c.ID}, nil
}
