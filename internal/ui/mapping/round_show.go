package mappingui

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/mapping"
	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
)

type invitationRow struct {
	mapping.Invitation
	Questionnaire string
	Who           string
}

type responseRow struct {
	mapping.Response
	Questionnaire, Type string
}

type countRow struct {
	Questionnaire, Type string
	N                   int
}

type reviewRow struct {
	mapping.FreeText
	// Question is the question's label in the reader's language.
	Questionnaire, Question, Type string
}

type roundPage struct {
	Round       mapping.Round
	Invitations []invitationRow
	Counts      []countRow
	Responses   []responseRow
	Pending     []reviewRow
	// Options of the invitation form.
	Questionnaires, Orgs, Roles, Actors []web.Option
	// Link is the link just created, shown this once.
	Link string
	// KeyActors are, per shipped questionnaire, whom its table names as
	// able to identify people at risk: whom to invite.
	KeyActors []keyActors
}

type keyActors struct {
	Questionnaire string
	Actors        []string
}

// round is the coordinator's page of a round: its state, invitations,
// who answered, and the free text waiting for review.
func (h *Handler) round(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "mapping.round")
	notice(v, r)
	h.renderRound(w, r, http.StatusOK, v, r.PathValue("id"), "")
}

func (h *Handler) renderRound(w http.ResponseWriter, r *http.Request, status int, v *web.View, id, link string) {
	ctx, actor := r.Context(), page.Actor(r)
	rd, err := h.mapping.Round(ctx, actor, id)
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	invs, err := h.mapping.Invitations(ctx, actor, id)
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	resps, err := h.mapping.Responses(ctx, actor, id)
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	pending, err := h.mapping.Reviews(ctx, actor, id, mapping.Pending)
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	orgs, err := h.accounts.ListOrganisations(ctx, actor)
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	p := v.P
	title := map[string]string{}
	d := roundPage{Round: rd, Link: link}
	shipped := mapping.ShippedQuestionnaires()
	for _, q := range rd.Questionnaires {
		title[q.ID] = q.TitleIn(p)
		d.Questionnaires = append(d.Questionnaires, web.Option{Value: q.ID, Label: q.TitleIn(p)})
		if i := slices.IndexFunc(shipped, func(s mapping.Shipped) bool { return s.Slug == q.Slug() }); i >= 0 {
			k := keyActors{Questionnaire: q.TitleIn(p)}
			for _, a := range shipped[i].Actors {
				k.Actors = append(k.Actors, p.T("mapping.actor."+a))
			}
			d.KeyActors = append(d.KeyActors, k)
		}
	}
	for _, inv := range invs {
		row := invitationRow{Invitation: inv, Questionnaire: title[inv.QuestionnaireID]}
		switch {
		case inv.Link:
			row.Who = p.T("mapping.actor."+inv.RespondentKind) + " · " + p.T("mapping.link_uses", "uses", inv.Uses, "max", inv.MaxUses)
		case inv.Role != "":
			row.Who = inv.OrgName + " · " + p.T("role."+string(inv.Role))
		default:
			row.Who = inv.OrgName + " · " + p.T("mapping.every_role")
		}
		d.Invitations = append(d.Invitations, row)
	}
	counts := map[[2]string]int{}
	for _, resp := range resps {
		typ := respondent(p, resp.Respondent)
		d.Responses = append(d.Responses, responseRow{Response: resp, Questionnaire: title[resp.QuestionnaireID], Type: typ})
		counts[[2]string{title[resp.QuestionnaireID], typ}]++
	}
	for k, n := range counts {
		d.Counts = append(d.Counts, countRow{Questionnaire: k[0], Type: k[1], N: n})
	}
	slices.SortFunc(d.Counts, func(a, b countRow) int {
		if a.Questionnaire != b.Questionnaire {
			return strings.Compare(a.Questionnaire, b.Questionnaire)
		}
		return b.N - a.N
	})
	for _, t := range pending {
		d.Pending = append(d.Pending, reviewRow{FreeText: t, Questionnaire: title[t.QuestionnaireID],
			Question: mapping.In(t.Question, p.Lang()), Type: respondent(p, t.Respondent)})
	}
	d.Orgs = []web.Option{{Value: "", LabelKey: "mapping.choose"}}
	for _, o := range orgs {
		if o.DisabledAt == nil {
			d.Orgs = append(d.Orgs, web.Option{Value: o.ID, Label: o.Name + " (" + p.T("orgkind."+string(o.Kind)) + ")"})
		}
	}
	d.Roles = []web.Option{{Value: "", LabelKey: "mapping.every_role"}}
	for _, role := range access.Roles {
		if access.ReachOf(role, access.RespondMapping) != access.None {
			d.Roles = append(d.Roles, web.Option{Value: string(role), LabelKey: "role." + string(role)})
		}
	}
	d.Actors = []web.Option{{Value: "", LabelKey: "mapping.choose"}}
	for _, a := range mapping.Actors() {
		d.Actors = append(d.Actors, web.Option{Value: a, LabelKey: "mapping.actor." + a})
	}
	if v.Form["max_uses"] == "" {
		v.Form["max_uses"], v.Form["days"] = "20", "30"
	}
	v.Data = d
	h.kit.Render(w, r, status, "mapping_round", v)
}

// invite invites an organisation or makes a link; a new link is shown on
// the page this once.
func (h *Handler) invite(w http.ResponseWriter, r *http.Request) {
	v := h.kit.View(r, "mapping.round")
	id := r.PathValue("id")
	if err := page.ParseForm(r); err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	for _, k := range []string{"questionnaire", "kind", "org", "role", "respondent_kind", "label", "max_uses", "days"} {
		v.Form[k] = r.PostFormValue(k)
	}
	maxUses, _ := strconv.Atoi(v.Form["max_uses"])
	days, _ := strconv.Atoi(v.Form["days"])
	in := mapping.InviteInput{QuestionnaireID: v.Form["questionnaire"], OrgID: v.Form["org"], Role: v.Form["role"],
		Link: v.Form["kind"] == "link", RespondentKind: v.Form["respondent_kind"], Label: v.Form["label"], MaxUses: maxUses, Days: days}
	inv, err := h.mapping.Invite(r.Context(), page.Actor(r), id, in)
	if err != nil {
		h.kit.FormFailed(w, r, v, err, func(status int) { h.renderRound(w, r, status, v, id, "") })
		return
	}
	if !inv.Link {
		http.Redirect(w, r, "/mapping/rounds/"+id+"?done=invited", http.StatusSeeOther)
		return
	}
	v.Notice = v.P.T("mapping.done.link")
	v.Form = map[string]string{}
	h.renderRound(w, r, http.StatusOK, v, id, h.base(r)+PathLink+inv.Token)
}

// revoke ends an invitation and goes back to its round.
func (h *Handler) revoke(w http.ResponseWriter, r *http.Request) {
	round, err := h.mapping.Revoke(r.Context(), page.Actor(r), r.PathValue("id"))
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/mapping/rounds/"+round+"?done=revoked", http.StatusSeeOther)
}

// openRound opens a draft round for answers.
func (h *Handler) openRound(w http.ResponseWriter, r *http.Request) {
	if err := h.mapping.OpenRound(r.Context(), page.Actor(r), r.PathValue("id")); err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/mapping/rounds/"+r.PathValue("id")+"?done=opened", http.StatusSeeOther)
}

// closeRound closes a round: no more answers are taken.
func (h *Handler) closeRound(w http.ResponseWriter, r *http.Request) {
	if err := h.mapping.CloseRound(r.Context(), page.Actor(r), r.PathValue("id")); err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/mapping/rounds/"+r.PathValue("id")+"?done=closed", http.StatusSeeOther)
}
