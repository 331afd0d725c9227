package api

import (
	"net/http"
	"time"

	"waymark.city/waymark/internal/fieldguide"
)

// localGuideJSON is the current local adaptation of the field guide. Every
// item carries the version that added it and the version it is at now, each
// cited to who made it, for which organisation, when, on what source and why.
// A sign counts in a screening only through its question_id, and only when
// counts is true.
type localGuideJSON struct {
	Version          int              `json:"version"`
	CatalogueVersion string           `json:"catalogue_version"`
	Places           []localPlaceJSON `json:"places"`
	Signs            []localSignJSON  `json:"signs"`
	Marks            []localMarkJSON  `json:"marks"`
}

type localSourceJSON struct {
	Version          int       `json:"version"`
	Action           string    `json:"action"`
	At               time.Time `json:"at"`
	UserID           string    `json:"user_id"`
	Organisation     orgRef    `json:"organisation"`
	Citation         string    `json:"citation"`
	Reason           string    `json:"reason"`
	CatalogueVersion string    `json:"catalogue_version"`
}

type orgRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type localPlaceJSON struct {
	ID      string              `json:"id"`
	Name    map[string]string   `json:"name"`
	Where   map[string]string   `json:"where"`
	LookFor map[string][]string `json:"look_for"`
	Area    string              `json:"area"`
	Added   localSourceJSON     `json:"added"`
	Latest  localSourceJSON     `json:"latest"`
}

type localSignJSON struct {
	ID    string            `json:"id"`
	Label map[string]string `json:"label"`
	Hint  map[string]string `json:"hint"`
	// QuestionID is "" for a sign that is shown and recorded only.
	QuestionID string          `json:"question_id"`
	Counts     bool            `json:"counts"`
	PlaceID    string          `json:"place_id"`
	Added      localSourceJSON `json:"added"`
	Latest     localSourceJSON `json:"latest"`
}

type localMarkJSON struct {
	QuestionID string          `json:"question_id"`
	Reason     string          `json:"reason"`
	Known      bool            `json:"known"`
	Added      localSourceJSON `json:"added"`
	Latest     localSourceJSON `json:"latest"`
}

func localSource(s fieldguide.Source) localSourceJSON {
	return localSourceJSON{Version: s.Version, Action: string(s.Action), At: s.At, UserID: s.UserID,
		Organisation: orgRef{ID: s.OrgID, Name: s.OrgName}, Citation: s.Citation, Reason: s.Reason,
		CatalogueVersion: s.CatalogueVersion}
}

// getLocalGuide answers the current local set, readable by whoever may open
// the field guide; it holds no personal data, so reading it is not audited.
func (h *Handler) getLocalGuide(w http.ResponseWriter, r *http.Request) error {
	l, err := h.guide.Current(r.Context())
	if err != nil {
		return err
	}
	out := localGuideJSON{Version: l.Version, CatalogueVersion: h.guide.Catalogue().Version,
		Places: []localPlaceJSON{}, Signs: []localSignJSON{}, Marks: []localMarkJSON{}}
	for _, p := range l.Places {
		out.Places = append(out.Places, localPlaceJSON{ID: p.ID, Name: p.Name, Where: p.Where, LookFor: p.LookFor, Area: p.Area,
			Added: localSource(p.Added), Latest: localSource(p.Latest)})
	}
	for _, s := range l.Signs {
		out.Signs = append(out.Signs, localSignJSON{ID: s.ID, Label: s.Label, Hint: s.Hint, QuestionID: s.QuestionID, Counts: s.Counts,
			PlaceID: s.PlaceID, Added: localSource(s.Added), Latest: localSource(s.Latest)})
	}
	for _, m := range l.Marks {
		out.Marks = append(out.Marks, localMarkJSON{QuestionID: m.QuestionID, Reason: m.Reason, Known: m.Known,
			Added: localSource(m.Added), Latest: localSource(m.Latest)})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
