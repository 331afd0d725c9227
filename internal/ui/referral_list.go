package ui

import (
	"net/http"
	"strings"
	"time"

	"waymark.city/waymark/internal/i18n"
	"waymark.city/waymark/internal/identification"
)

// referralRow is one referral of a list, in words.
type referralRow struct {
	ID        string
	Code      string
	CreatedAt time.Time
	Other     string // the organisation at the other end
	Purposes  string
	Kind      string
	Status    string
	StatusKey string
	HTCDS     string
}

// referralTable is one list of the page: received (the inbox), forwarded
// for the formal decision, or sent.
type referralTable struct {
	ID       string
	TitleKey string
	OtherKey string // heading of the column naming the other organisation
	Rows     []referralRow
}

type referralsPage struct {
	Tables []referralTable
}

// purposeList names the forms of exploitation of a referral. The names are
// the message catalogue's, not the indicator catalogue's: a referral made
// under an earlier rules version keeps the forms of that version.
func purposeList(p *i18n.Printer, purposes []string) string {
	names := make([]string, len(purposes))
	for i, pu := range purposes {
		names[i] = p.T("referral.purpose." + pu)
	}
	return strings.Join(names, ", ")
}

// listReferrals is the inbox of referrals received, those forwarded for
// the formal decision and the referrals sent.
func (h *Handler) listReferrals(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "referral.list_title")
	svc := h.referrals
	l, err := svc.List(r.Context(), actor(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	row := func(ref identification.Referral, other string) referralRow {
		rr := referralRow{ID: ref.ID, Code: ref.Code, CreatedAt: ref.CreatedAt, Other: other, Purposes: purposeList(v.P, ref.Purposes),
			Kind: ref.Kind, Status: ref.Status, StatusKey: "referral.status_" + ref.Status}
		if s := ref.HTCDS.TraffickingStatus; s != "" {
			rr.HTCDS = v.P.T("htcds.status." + s)
		}
		return rr
	}
	received := referralTable{ID: "received", TitleKey: "referral.received", OtherKey: "referral.from"}
	for _, ref := range l.Received {
		received.Rows = append(received.Rows, row(ref, ref.From.Name))
	}
	sent := referralTable{ID: "sent", TitleKey: "referral.sent", OtherKey: "referral.to"}
	for _, ref := range l.Sent {
		sent.Rows = append(sent.Rows, row(ref, ref.To.Name))
	}
	tables := []referralTable{received, sent}
	// Only a competent authority is forwarded referrals; other
	// organisations would see an empty list that means nothing to them.
	if len(l.Forwarded) > 0 {
		forwarded := referralTable{ID: "forwarded", TitleKey: "forward.list_title", OtherKey: "referral.to"}
		for _, ref := range l.Forwarded {
			forwarded.Rows = append(forwarded.Rows, row(ref, ref.To.Name))
		}
		tables = []referralTable{received, forwarded, sent}
	}
	v.Data = referralsPage{Tables: tables}
	h.shell.Render(w, r, http.StatusOK, "referrals", v)
}
