package ui

import (
	"net/http"
	"slices"

	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/identification"
	"waymark.city/waymark/internal/screening"
	"waymark.city/waymark/internal/web"
)

// referralChoice is one form of exploitation on the referral form, with
// the screening's outcome for it.
type referralChoice struct {
	Value   string
	Label   string
	Outcome string
	Checked bool
}

type referralFormPage struct {
	ScreeningID string
	// Specialist is set when the screening is in doubt and the referral
	// asks for a specialist assessment.
	Specialist bool
	// Problem is a message key saying why the screening cannot be referred.
	Problem    string
	Existing   *identification.Referral
	Purposes   []referralChoice
	Orgs       []web.Option
	Child      bool
	Population string
	// Suggested names the receiving organisation of the local protocol.
	Suggested string
	NoteMax   int
	// Unconfirmed counts the screening's answers pre-filled from a site
	// check that the person has not confirmed: the referral may go, under
	// a warning.
	Unconfirmed int
}

// renderReferralForm shows the short referral form of a screening, or why
// it cannot be referred. posted is nil on the first showing; then the
// purposes with reasonable grounds are ticked and the protocol's receiving
// organisation is chosen.
func (h *Handler) renderReferralForm(w http.ResponseWriter, r *http.Request, status int, v *web.View, posted []string) {
	svc := h.referrals
	d, err := svc.Prepare(r.Context(), actor(r), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	c, lang := svc.Catalogue(), v.P.Lang()
	if own, ok := c.ForVersion(d.Result.CatalogueVersion); ok {
		c = own
	}
	page := referralFormPage{ScreeningID: d.Screening.ID, Specialist: d.Kind == identification.ForSpecialistAssessment, Problem: d.Problem,
		Existing: d.Existing, Child: d.Population == screening.Child, Population: c.Text("population."+d.Population, lang, nil),
		NoteMax: identification.MaxNote}
	plan, err := c.Plan(d.Screening.Input(c), lang)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	page.Unconfirmed = len(d.Screening.UnconfirmedAsked(plan))
	checked := d.Purposes
	if posted != nil {
		checked = posted
	}
	for _, p := range identification.Purposes() {
		rc := referralChoice{Value: p, Label: v.P.T("referral.purpose." + p), Checked: slices.Contains(checked, p)}
		// A version 1 result names one form for what are two now.
		for _, pr := range d.Result.Purposes {
			if slices.Contains(identification.CurrentForms([]string{pr.Purpose}), p) {
				rc.Outcome = c.Text("outcome."+pr.Outcome, lang, nil)
			}
		}
		page.Purposes = append(page.Purposes, rc)
	}
	orgs, err := h.accounts.ListOrganisations(r.Context(), actor(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	page.Orgs = []web.Option{{Value: "", LabelKey: "form.choose"}}
	for _, o := range orgs {
		if o.DisabledAt != nil {
			continue
		}
		page.Orgs = append(page.Orgs, web.Option{Value: o.ID, Label: o.Name})
		if o.ID == d.To {
			page.Suggested = o.Name
		}
	}
	if posted == nil {
		v.Form["to"] = d.To
	}
	v.Data = page
	h.shell.Render(w, r, status, "referral_new", v)
}

// showReferralForm is the "Refer" step of a screening result.
func (h *Handler) showReferralForm(w http.ResponseWriter, r *http.Request) {
	h.renderReferralForm(w, r, http.StatusOK, h.view(r, "screening.refer_title"), nil)
}

// createReferral refers the person and goes to the new referral.
func (h *Handler) createReferral(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "screening.refer_title")
	svc := h.referrals
	if err := parseForm(r); err != nil {
		v.FormError(err)
		h.renderReferralForm(w, r, statusOf(err), v, []string{})
		return
	}
	for _, k := range []string{"to", "consent", "guardian", "note"} {
		v.Form[k] = r.PostFormValue(k)
	}
	purposes := r.PostForm["purposes"]
	ref, err := svc.Refer(r.Context(), actor(r), identification.NewReferral{
		ScreeningID: r.PathValue("id"), Purposes: purposes, To: v.Form["to"],
		PersonAgreed: v.Form["consent"] != "", GuardianInvolved: v.Form["guardian"] != "", Note: v.Form["note"],
	})
	if err != nil {
		if apperr.Is(err, apperr.NotFound) || apperr.Is(err, apperr.Forbidden) {
			h.fail(w, r, err)
			return
		}
		v.FormError(err)
		if purposes == nil {
			purposes = []string{}
		}
		h.renderReferralForm(w, r, statusOf(err), v, purposes)
		return
	}
	http.Redirect(w, r, "/referrals/"+ref.ID+"?created=1", http.StatusSeeOther)
}
