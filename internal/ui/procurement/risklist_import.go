package procurementui

import (
	"errors"
	"net/http"
	"path/filepath"

	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/i18n"
	"waymark.city/waymark/internal/procurement"
	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
)

// riskListPage is the imported editions and, for the officer, the import
// forms.
type riskListPage struct {
	Lists     []procurement.RiskList
	CanManage bool
	MaxMB     int
	// Imports are the two import forms, TVPRA first.
	Imports []importForm
}

// importForm is one import form. Only the form a failed import came from
// shows its errors, and its fields carry the ids the error summary links
// to; the other form's ids are prefixed with its kind.
type importForm struct {
	Kind, Prefix string
	P            *i18n.Printer
	Errors, Form map[string]string
	MaxMB        int
}

func (h *Handler) renderRiskLists(w http.ResponseWriter, r *http.Request, status int, v *web.View, kind string) {
	lists, err := h.svc.RiskLists(r.Context(), page.Actor(r))
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	p := riskListPage{Lists: lists, CanManage: canManage(r), MaxMB: procurement.MaxListFile >> 20}
	for _, k := range []string{procurement.TVPRA, procurement.Operator} {
		f := importForm{Kind: k, Prefix: k + "-", P: v.P, Errors: map[string]string{}, Form: map[string]string{}, MaxMB: p.MaxMB}
		if k == kind {
			f.Prefix, f.Errors, f.Form = "", v.FieldErrors, v.Form
		}
		p.Imports = append(p.Imports, f)
	}
	v.Data = p
	h.kit.Render(w, r, status, "procurement_risk_lists", v)
}

// riskLists shows the editions with their provenance.
func (h *Handler) riskLists(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "procurement.risk_lists.title")
	if r.URL.Query().Get("done") == "imported" {
		v.Notice = v.P.T("procurement.done.imported")
	}
	h.renderRiskLists(w, r, http.StatusOK, v, "")
}

// importTVPRA replaces the TVPRA list with an uploaded edition.
func (h *Handler) importTVPRA(w http.ResponseWriter, r *http.Request) {
	h.importList(w, r, procurement.TVPRA)
}

// importOperator replaces the operator's list with an uploaded edition.
func (h *Handler) importOperator(w http.ResponseWriter, r *http.Request) {
	h.importList(w, r, procurement.Operator)
}

func (h *Handler) importList(w http.ResponseWriter, r *http.Request, kind string) {
	v := h.kit.View(r, "procurement.risk_lists.title")
	failed := func(err error) {
		h.kit.FormFailed(w, r, v, err, func(status int) { h.renderRiskLists(w, r, status, v, kind) })
	}
	r.Body = http.MaxBytesReader(w, r.Body, procurement.MaxListFile+64<<10)
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			failed(apperr.Validation(apperr.FieldError{Field: "file", Key: "procurement.error.file_too_large", Args: map[string]any{"mb": procurement.MaxListFile >> 20}}))
			return
		}
		failed(apperr.Wrap(apperr.Invalid, "error.bad_form", err))
		return
	}
	if err := web.CheckText(r.PostForm); err != nil {
		failed(err)
		return
	}
	v.Form["edition_on"], v.Form["source"] = r.PostFormValue("edition_on"), r.PostFormValue("source")
	file, header, err := r.FormFile("file")
	if err != nil {
		failed(apperr.Validation(apperr.FieldError{Field: "file", Key: "procurement.error.file"}))
		return
	}
	defer file.Close()
	ctx, actor, name := r.Context(), page.Actor(r), filepath.Base(header.Filename)
	if kind == procurement.TVPRA {
		_, err = h.svc.ImportTVPRA(ctx, actor, name, v.Form["edition_on"], file)
	} else {
		_, err = h.svc.ImportOperatorList(ctx, actor, v.Form["source"], name, v.Form["edition_on"], file)
	}
	if err != nil {
		failed(err)
		return
	}
	http.Redirect(w, r, "/procurement/risk-lists?done=imported", http.StatusSeeOther)
}
