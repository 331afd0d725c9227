package campaigns_test

import (
	"context"
	"testing"
	"time"

	"waymark.city/waymark/internal/campaigns"
	"waymark.city/waymark/internal/outreach"
	"waymark.city/waymark/internal/storage/storagetest"
)

// TestOutreachReach: materials outreach sessions handed out with a
// campaign material's code, typed as on the material ("ab3-d7k"), add to
// that material's reach and the campaign's, when the session was held
// within the campaign's period; other codes, no code and sessions before
// the start add nothing.
func TestOutreachReach(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			ctx, coord := context.Background(), f.coordinator.Actor
			on := func(days int) string { return time.Now().UTC().AddDate(0, 0, days).Format(time.DateOnly) }
			in := cleaningCampaign()
			in.StartsOn, in.EndsOn = on(-30), on(30)
			c, err := f.svc.Create(ctx, coord, in)
			if err != nil {
				t.Fatal(err)
			}
			poster, err := f.svc.AddMaterial(ctx, coord, c.ID, campaigns.MaterialInput{Title: "Poster", Channel: "poster", Language: "en"})
			if err != nil {
				t.Fatal(err)
			}
			leaflet, err := f.svc.AddMaterial(ctx, coord, c.ID, campaigns.MaterialInput{Title: "Leaflet", Channel: "leaflet", Language: "ro"})
			if err != nil {
				t.Fatal(err)
			}
			if err := f.svc.RecordReach(ctx, coord, c.ID, campaigns.ReachInput{MaterialID: poster.ID, People: "100", CountedOn: on(-1)}); err != nil {
				t.Fatal(err)
			}
			typed := func(code string) string { return code[:3] + "-" + code[3:] }
			for _, s := range []struct{ on, code, materials string }{
				{on(-10), typed(poster.Code), "40"},
				{on(-2), poster.Code, "5"},
				{on(-40), poster.Code, "70"},
				{on(-5), "OTHER1", "9"},
				{on(-5), "", "11"},
			} {
				if _, err := f.env.App.Outreach.Create(ctx, coord, outreach.Input{HeldOn: s.on, LocationType: "construction_site",
					Team: []outreach.TeamRow{{OrgID: f.coordinator.OrgID, Staff: "2"}}, Materials: s.materials, MaterialCode: s.code}); err != nil {
					t.Fatalf("outreach session %+v: %v", s, err)
				}
			}
			fn, err := f.svc.Funnel(ctx, f.analyst.Actor, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			reach := map[string]int{}
			for _, m := range fn.Materials {
				reach[m.ID] = m.Reach
			}
			if fn.Reach != 145 || reach[poster.ID] != 145 || reach[leaflet.ID] != 0 {
				t.Fatalf("reach %d, poster %d, leaflet %d; want 145, 145 (100 counted, 45 handed out at outreach), 0", fn.Reach, reach[poster.ID], reach[leaflet.ID])
			}
		})
	}
}
