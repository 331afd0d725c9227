package ui

import (
	"net/http"
	"strings"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/assistance"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/web"
)

type consentPage struct {
	Nav        caseNav
	Consents   []consentRow
	Purposes   []string
	Categories []cases.Category
	Orgs       []web.Option
	// Providers are the directory's service providers a referral consent
	// may name; one outside the partnership is covered only by its name.
	Providers []web.Option
	Methods   []web.Option
	Givers    []web.Option
	CanManage bool
	Child     bool
	Today     string
	// Basis is the legal basis the case opened on without consent.
	Basis *cases.Event
	// Informed is what the person was informed of, newest first, and
	// Topics the choices of its form.
	Informed []cases.Informed
	Topics   []web.Option
}

type consentRow struct {
	cases.ConsentRecord
	OrgNames      []string
	ProviderNames []string
	Current       bool
}

// showConsent lists the case's informed consents and the form to record one.
func (h *Handler) showConsent(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "consent.title")
	h.renderConsent(w, r, http.StatusOK, v)
}

func (h *Handler) renderConsent(w http.ResponseWriter, r *http.Request, status int, v *web.View) {
	tab, err := h.cases.ConsentsOf(r.Context(), actor(r), r.PathValue("id"))
	a, list, informed := tab.Access, tab.Consents, tab.Informed
	if err != nil {
		h.fail(w, r, err)
		return
	}
	orgs, err := h.accounts.ListOrganisations(r.Context(), actor(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if _, set := v.Form["language"]; !set && r.Method == http.MethodGet {
		// The information is given in the person's language.
		v.Form["language"] = v.P.Lang()
		if len(a.Case.Languages) > 0 {
			v.Form["language"] = a.Case.Languages[0]
		}
	}
	// The tab has two forms; the one not posted starts afresh.
	if _, set := v.Form["informed_language"]; !set {
		v.Form["informed_language"] = v.Form["language"]
	}
	for _, k := range []string{"given_on", "informed_on"} {
		if _, set := v.Form[k]; !set {
			v.Form[k] = time.Now().UTC().Format(time.DateOnly)
		}
	}
	names := map[string]string{}
	page := consentPage{Nav: caseNavFor(v, a, "/consent"), Purposes: cases.ConsentPurposes(), Categories: cases.Shareable(),
		Methods:   codeOptions("form.choose", "consent.method.", cases.ConsentMethods()),
		Givers:    codeOptions("form.choose", "consent.given_by.", []string{"person", "guardian"}),
		CanManage: a.MayChange(actor(r), access.ManageCases, cases.Consent), Child: a.Case.Child,
		Today: time.Now().UTC().Format(time.DateOnly), Informed: informed, Basis: tab.Basis,
		Topics: codeOptions("form.choose", "informed.topic.", cases.InformedTopics())}
	for _, o := range orgs {
		names[o.ID] = o.Name
		if o.DisabledAt == nil {
			page.Orgs = append(page.Orgs, web.Option{Value: o.ID, Label: o.Name})
		}
	}
	providers, err := h.assistance.Providers(r.Context(), actor(r), assistance.ProviderFilter{All: true})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	providerNames := map[string]string{}
	for _, p := range providers {
		providerNames[p.ID] = p.Name
		if p.Active {
			page.Providers = append(page.Providers, web.Option{Value: p.ID, Label: p.Name})
		}
	}
	now := time.Now().UTC()
	for _, k := range list {
		row := consentRow{ConsentRecord: k, Current: k.Current(now)}
		for _, id := range k.Orgs {
			row.OrgNames = append(row.OrgNames, names[id])
		}
		for _, id := range k.Providers {
			row.ProviderNames = append(row.ProviderNames, providerNames[id])
		}
		page.Consents = append(page.Consents, row)
	}
	v.Data = page
	h.shell.Render(w, r, status, "case_consent", v)
}

// recordConsent records an informed consent.
func (h *Handler) recordConsent(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "consent.title")
	err := parseForm(r)
	if err == nil {
		for _, k := range []string{"language", "interpreter", "method", "given_by", "child_heard", "best_interest", "given_on"} {
			v.Form[k] = r.PostFormValue(k)
		}
		for _, group := range []string{"purposes", "orgs", "providers", "categories"} {
			for _, val := range r.PostForm[group] {
				v.Form[group+"."+val] = "1"
			}
		}
		_, err = h.cases.RecordConsent(r.Context(), actor(r), r.PathValue("id"), cases.ConsentInput{
			Purposes: r.PostForm["purposes"], Orgs: r.PostForm["orgs"], Providers: r.PostForm["providers"], Categories: r.PostForm["categories"],
			Language: v.Form["language"], Interpreter: v.Form["interpreter"] != "", Method: v.Form["method"],
			GivenBy: v.Form["given_by"], ChildHeard: v.Form["child_heard"] != "", BestInterest: v.Form["best_interest"] != "",
			GivenOn: strings.TrimSpace(v.Form["given_on"]),
		})
	}
	h.afterConsent(w, r, v, err)
}

// withdrawConsent records that the person withdrew a consent; shares
// resting on it end at once.
func (h *Handler) withdrawConsent(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "consent.title")
	err := parseForm(r)
	if err == nil {
		err = h.cases.WithdrawConsent(r.Context(), actor(r), r.PathValue("id"), r.PostFormValue("consent"), strings.TrimSpace(r.PostFormValue("withdrawn_on")))
	}
	h.afterConsent(w, r, v, err)
}

func (h *Handler) afterConsent(w http.ResponseWriter, r *http.Request, v *web.View, err error) {
	if err != nil {
		h.formFailed(w, r, v, err, func(status int) { h.renderConsent(w, r, status, v) })
		return
	}
	http.Redirect(w, r, "/cases/"+r.PathValue("id")+"/consent", http.StatusSeeOther)
}
