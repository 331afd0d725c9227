package ui

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"waymark.city/waymark/internal/fieldguide"
	"waymark.city/waymark/internal/screening"
	"waymark.city/waymark/internal/web"
)

// localKinds maps the {kind} of the local guide's paths to the kinds.
var localKinds = map[string]fieldguide.Kind{
	"places": fieldguide.KindPlace, "signs": fieldguide.KindSign, "marks": fieldguide.KindMark,
}

// kindPath is the {kind} path segment of a kind.
func kindPath(k fieldguide.Kind) string { return string(k) + "s" }

// localItemPath is the page of one local item.
func localItemPath(k fieldguide.Kind, id string) string {
	return "/guide/local/" + kindPath(k) + "/" + id
}

// localRow is one current local item in the coordinator's list.
type localRow struct {
	Href  string
	Title guideText
	// Area of a place; Place a sign belongs to ("" when none, Retired when
	// that local place was retired since).
	Area         string
	Place        string
	PlaceRetired bool
	// Question a sign counts through.
	Question string
	Counts   bool
	Stale    bool
	Source   guideSource
}

// localLine is one text of an item as a version left it.
type localLine struct {
	LabelKey string
	Text     string
	Lang     string
}

// localRevision is one version in a history table.
type localRevision struct {
	Version   int
	At        time.Time
	Username  string
	OrgName   string
	KindKey   string
	ActionKey string
	Href      string
	Title     guideText
	Citation  string
	Reason    string
	Lines     []localLine
}

type localGuidePage struct {
	Version int
	Places  []localRow
	Signs   []localRow
	Marks   []localRow
	History []localRevision
}

// showLocalGuide is the coordinator's page of the local additions: what is
// current, each linked to its page of changes, and every version made.
func (h *Handler) showLocalGuide(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "guide.local.title")
	local, history, err := h.fieldguide.History(r.Context(), actor(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	c, lang := h.fieldguide.Catalogue(), v.P.Lang()
	if done := r.URL.Query().Get("done"); done != "" && v.P.Has("guide.local.done."+done) {
		v.Notice = v.P.T("guide.local.done." + done)
	}
	page := localGuidePage{Version: local.Version}
	for _, p := range local.Places {
		page.Places = append(page.Places, localRow{Href: localItemPath(fieldguide.KindPlace, p.ID), Title: localText(p.Name, lang),
			Area: p.Area, Source: localSource(v, p.Added, p.Latest)})
	}
	for _, s := range local.Signs {
		g := localSign(v, c, s)
		row := localRow{Href: localItemPath(fieldguide.KindSign, s.ID), Title: g.Label, Question: g.Question, Counts: g.Counts,
			Stale: g.Stale, Source: g.Source}
		row.Place, row.PlaceRetired = placeName(c, local, s.PlaceID, lang)
		page.Signs = append(page.Signs, row)
	}
	for _, m := range local.Marks {
		g := localMark(v, c, m)
		page.Marks = append(page.Marks, localRow{Href: localItemPath(fieldguide.KindMark, m.QuestionID),
			Title: guideText{Text: g.Question, Lang: c.Lang(lang)}, Stale: !m.Known, Source: g.Source})
	}
	for _, rev := range history {
		page.History = append(page.History, localRevisionView(c, local, rev, lang))
	}
	v.Data = page
	h.shell.Render(w, r, http.StatusOK, "guide_local", v)
}

// placeName names the place a sign belongs to: a catalogue place or a
// current local place; retired is true for a local place retired since.
func placeName(c *screening.Catalogue, local fieldguide.Local, id, lang string) (name string, retired bool) {
	if id == "" {
		return "", false
	}
	if i := slices.IndexFunc(c.FieldGuide, func(l screening.Location) bool { return l.ID == id }); i >= 0 {
		return c.FieldGuide[i].Name[c.Lang(lang)], false
	}
	if p, ok := local.Place(id); ok {
		t, _ := p.Name.In(lang)
		return t, false
	}
	return "", true
}

// localRevisionView shows one version: who, when, on what source, and what
// the item said after it.
func localRevisionView(c *screening.Catalogue, local fieldguide.Local, rev fieldguide.Revision, lang string) localRevision {
	out := localRevision{Version: rev.Version, At: rev.At, Username: rev.Username, OrgName: rev.OrgName,
		KindKey: "guide.local.kind." + string(rev.Kind), ActionKey: "guide.local.action." + string(rev.Action),
		Href: localItemPath(rev.Kind, rev.ItemID), Citation: rev.Citation, Reason: rev.Reason}
	text := func(key string, l fieldguide.Localized) {
		for _, in := range fieldguide.Languages() {
			if t := l[in]; t != "" {
				out.Lines = append(out.Lines, localLine{LabelKey: key + "_" + in, Text: t, Lang: in})
			}
		}
	}
	switch {
	case rev.Place != nil:
		out.Title = localText(rev.Place.Name, lang)
		text("guide.local.name", rev.Place.Name)
		text("guide.local.where", rev.Place.Where)
		looks := fieldguide.Localized{}
		for in, entries := range rev.Place.LookFor {
			looks[in] = strings.Join(entries, "; ")
		}
		text("guide.local.look_for", looks)
		if rev.Place.Area != "" {
			out.Lines = append(out.Lines, localLine{LabelKey: "guide.local.area", Text: rev.Place.Area})
		}
	case rev.Sign != nil:
		out.Title = localText(rev.Sign.Label, lang)
		text("guide.local.label", rev.Sign.Label)
		text("guide.local.hint", rev.Sign.Hint)
		if q := rev.Sign.QuestionID; q != "" {
			out.Lines = append(out.Lines, localLine{LabelKey: "guide.local.question", Text: c.Label(q, lang) + " (" + q + ")"})
		}
		if name, retired := placeName(c, local, rev.Sign.PlaceID, lang); name != "" || retired {
			if retired {
				name = rev.Sign.PlaceID
			}
			out.Lines = append(out.Lines, localLine{LabelKey: "guide.local.place", Text: name})
		}
	case rev.Kind == fieldguide.KindMark:
		out.Title = guideText{Text: c.Label(rev.ItemID, lang), Lang: c.Lang(lang)}
	}
	return out
}

// questionOptions lists the catalogue's questions for a select, first the
// choice of none when none is allowed.
func questionOptions(c *screening.Catalogue, lang, noneKey string) []web.Option {
	var out []web.Option
	if noneKey != "" {
		out = append(out, web.Option{Value: "", LabelKey: noneKey})
	}
	for _, ind := range c.Indicators {
		out = append(out, web.Option{Value: ind.ID, Label: ind.Label[c.Lang(lang)] + " (" + ind.ID + ")"})
	}
	return out
}

// placeOptions lists the catalogue's places and the current local ones.
func placeOptions(c *screening.Catalogue, local fieldguide.Local, lang string) []web.Option {
	out := []web.Option{{Value: "", LabelKey: "guide.local.place_none"}}
	for _, l := range c.FieldGuide {
		out = append(out, web.Option{Value: l.ID, Label: l.Name[c.Lang(lang)]})
	}
	for _, p := range local.Places {
		t, _ := p.Name.In(lang)
		out = append(out, web.Option{Value: p.ID, Label: t})
	}
	return out
}
