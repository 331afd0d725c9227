package ui

import (
	"time"

	"waymark.city/waymark/internal/fieldguide"
	"waymark.city/waymark/internal/screening"
	"waymark.city/waymark/internal/web"
)

// The local additions to the field guide as the guide's pages show them:
// each with where it came from, so a worker can tell a city's own addition
// from the catalogue and knows on what it rests.

// guideText is a text in the reader's language, or in the language it was
// written in (Lang), for the lang attribute.
type guideText struct {
	Text string
	Lang string
}

func localText(l fieldguide.Localized, lang string) guideText {
	t, in := l.In(lang)
	return guideText{Text: t, Lang: in}
}

// guideSource is the "local addition" line: who added an item and when,
// who last changed it, and the source it rests on. V gives the template the
// reader's language and time zone.
type guideSource struct {
	V        *web.View
	AddedBy  string
	AddedAt  time.Time
	Changed  bool
	LatestBy string
	LatestAt time.Time
	Citation string
	Reason   string
}

func localSource(v *web.View, added, latest fieldguide.Source) guideSource {
	return guideSource{V: v, AddedBy: added.OrgName, AddedAt: added.At, Changed: latest.Version != added.Version,
		LatestBy: latest.OrgName, LatestAt: latest.At, Citation: latest.Citation, Reason: latest.Reason}
}

// guideSign is a local sign on a guide page.
type guideSign struct {
	Label guideText
	Hint  guideText
	// Question is the label of the catalogue question the sign counts
	// through; Counts is false for a sign that is only shown and recorded.
	Question string
	Counts   bool
	// Stale is a sign whose question the current catalogue no longer has.
	Stale  bool
	Source guideSource
}

func localSign(v *web.View, c *screening.Catalogue, s fieldguide.Sign) guideSign {
	lang := v.P.Lang()
	g := guideSign{Label: localText(s.Label, lang), Hint: localText(s.Hint, lang), Counts: s.Counts,
		Stale: s.QuestionID != "" && !s.Counts, Source: localSource(v, s.Added, s.Latest)}
	if s.Counts {
		g.Question = c.Label(s.QuestionID, c.Lang(lang))
	}
	return g
}

// guideMark is a catalogue question marked as locally relevant.
type guideMark struct {
	QuestionID string
	Question   string
	Reason     string
	Source     guideSource
}

func localMark(v *web.View, c *screening.Catalogue, m fieldguide.Mark) guideMark {
	return guideMark{QuestionID: m.QuestionID, Question: c.Label(m.QuestionID, c.Lang(v.P.Lang())), Reason: m.Reason,
		Source: localSource(v, m.Added, m.Latest)}
}

// localPlacePage is the guide page of a local place: its own texts, where
// they came from, and the local signs placed there.
func localPlacePage(v *web.View, c *screening.Catalogue, local fieldguide.Local, p fieldguide.Place) guideLocationPage {
	lang := v.P.Lang()
	src := localSource(v, p.Added, p.Latest)
	page := guideLocationPage{Name: localText(p.Name, lang), Where: localText(p.Where, lang), Source: &src}
	page.LookFor, page.LookLang = p.LookFor[lang], lang
	if len(page.LookFor) == 0 {
		for _, other := range fieldguide.Languages() {
			if len(p.LookFor[other]) > 0 {
				page.LookFor, page.LookLang = p.LookFor[other], other
				break
			}
		}
	}
	for _, s := range local.SignsAt(p.ID, nil) {
		page.Signs = append(page.Signs, localSign(v, c, s))
	}
	return page
}
