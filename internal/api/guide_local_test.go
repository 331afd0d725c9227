package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/fieldguide"
	"waymark.city/waymark/internal/storage/storagetest"
)

// TestLocalGuideJSON: the local set comes back with its version, each sign
// with the question it counts through (or none) and the citation of who
// added it, for any role that may open the field guide.
func TestLocalGuideJSON(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			ctx := context.Background()
			svc := f.env.App.FieldGuide
			question := svc.Catalogue().Indicators[0].ID
			note := fieldguide.Note{Citation: "Working group meeting 2026-11-12, minutes §4", Reason: "Seen this autumn."}
			mapped, err := svc.AddSign(ctx, f.staff[access.Coordinator].Actor, fieldguide.SignInput{
				SignText: fieldguide.SignText{Label: fieldguide.Localized{"en": "Pays a room fee"}, QuestionID: question}, Note: note})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := svc.AddSign(ctx, f.staff[access.Coordinator].Actor, fieldguide.SignInput{
				SignText: fieldguide.SignText{Label: fieldguide.Localized{"de": "Schläft im Lieferwagen"}}, Note: note}); err != nil {
				t.Fatal(err)
			}
			res, body := f.env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: "/api/v1/guide/local",
				Cookie: f.env.Session(t, f.staff[access.Screener].ID, true)})
			if res.StatusCode != http.StatusOK {
				t.Fatalf("status %d: %s", res.StatusCode, body)
			}
			var got struct {
				Version int `json:"version"`
				Signs   []struct {
					ID         string `json:"id"`
					QuestionID string `json:"question_id"`
					Counts     bool   `json:"counts"`
					Added      struct {
						Version      int    `json:"version"`
						Citation     string `json:"citation"`
						UserID       string `json:"user_id"`
						Organisation struct {
							Name string `json:"name"`
						} `json:"organisation"`
					} `json:"added"`
				} `json:"signs"`
				Places []json.RawMessage `json:"places"`
				Marks  []json.RawMessage `json:"marks"`
			}
			if err := json.Unmarshal([]byte(body), &got); err != nil {
				t.Fatalf("decode: %v: %s", err, body)
			}
			if got.Version != 2 || len(got.Signs) != 2 || got.Places == nil || got.Marks == nil {
				t.Fatalf("answer %s, want version 2, two signs, empty lists of places and marks", body)
			}
			s := got.Signs[0]
			if s.ID != mapped.ID || s.QuestionID != question || !s.Counts || s.Added.Version != 1 || s.Added.Citation != note.Citation ||
				s.Added.UserID != f.staff[access.Coordinator].ID || s.Added.Organisation.Name != "Organisation A" {
				t.Errorf("first sign %+v, want counted through %s, cited to the coordinator of A", s, question)
			}
			if g := got.Signs[1]; g.QuestionID != "" || g.Counts {
				t.Errorf("a sign without a question %+v counts", g)
			}
		})
	}
}
