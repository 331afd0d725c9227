package campaigns_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"maps"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/boombuler/barcode/qr"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/campaigns"
	"waymark.city/waymark/internal/identification"
	"waymark.city/waymark/internal/intake"
	"waymark.city/waymark/internal/intake/intaketest"
	"waymark.city/waymark/internal/screening"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

func TestMain(m *testing.M) { os.Exit(storagetest.Main(m)) }

const publicURL = "https://help.riverton.example"

type fixture struct {
	env                                    *apptest.Env
	svc                                    *campaigns.Service
	hotline                                string
	coordinator, analyst, worker, operator apptest.User
}

func newFixture(t *testing.T, engine storage.Engine) *fixture {
	t.Helper()
	env := apptest.Start(t, engine)
	f := &fixture{env: env, svc: campaigns.New(env.App.Cases, env.App.Catalog.LanguagesFor("public"), publicURL+"/")}
	city := env.Org("Human Rights Office", accounts.Municipality)
	f.hotline = env.Org("Helpline", accounts.Hotline)
	f.coordinator = env.User("coord", access.Coordinator, city)
	f.analyst = env.User("analyst", access.Analyst, city)
	f.worker = env.User("worker", access.CaseWorker, f.hotline)
	f.operator = env.User("operator", access.HotlineOperator, f.hotline)
	return f
}

func wantKey(t *testing.T, what string, err error, code apperr.Code, keys ...string) {
	t.Helper()
	if !apperr.Is(err, code) {
		t.Fatalf("%s: error %v, want %s", what, err, code)
	}
	e := apperr.As(err)
	for _, key := range keys {
		found := e.Key == key
		for _, f := range e.Fields {
			found = found || f.Key == key
		}
		if !found {
			t.Fatalf("%s: key %q, fields %+v, want %q", what, e.Key, e.Fields, key)
		}
	}
}

func (f *fixture) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	ctx := context.Background()
	var n int
	if err := f.env.App.DB.Read(ctx, func(tx *storage.Tx) error { return tx.QueryRowContext(ctx, query, args...).Scan(&n) }); err != nil {
		t.Fatal(err)
	}
	return n
}

func cleaningCampaign() campaigns.Input {
	return campaigns.Input{Name: "Clean work", Sectors: []string{"cleaning", "construction"}, LocationTypes: []string{"construction_site"},
		Populations: []string{"minority_language"}, Languages: []string{"en", "ro"}, Channels: []string{"poster", "leaflet"},
		StartsOn: "2026-11-01", EndsOn: "2027-01-31", CTAText: "Not paid? Papers taken? Tell us."}
}

// TestCodes: codes are six characters of the alphabet without look-alikes,
// drawn at random, and typed codes are read leniently.
func TestCodes(t *testing.T) {
	seen := map[string]bool{}
	for range 5000 {
		c, err := campaigns.NewCode()
		if err != nil {
			t.Fatal(err)
		}
		if len(c) != campaigns.CodeLength || strings.ContainsAny(c, "01ILO") || strings.Trim(c, campaigns.CodeAlphabet) != "" {
			t.Fatalf("code %q", c)
		}
		if seen[c] {
			t.Fatalf("code %q drawn twice in 5000", c)
		}
		seen[c] = true
	}
	for typed, want := range map[string]string{"ab3d7k": "AB3D7K", " ab3-d7k ": "AB3D7K", "AB3 D7K": "AB3D7K", "AB3D7O": "", "AB3D7": "",
		"AB3D7KX": "", "": "", "<b>AB3D": ""} {
		if got := campaigns.NormaliseCode(typed); got != want {
			t.Errorf("NormaliseCode(%q) = %q, want %q", typed, got, want)
		}
	}
}

// TestCampaignLifecycle: bad input is refused with translated keys and
// changes nothing; launch needs a target and a call to action; targets are
// frozen after launch; QR codes need a call to action to the report form
// and decode to the form's address with the code; reading is for the
// coordinator and the analyst only.
func TestCampaignLifecycle(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			ctx, coord := context.Background(), f.coordinator.Actor

			bad := cleaningCampaign()
			bad.Name, bad.EndsOn, bad.Populations, bad.Languages, bad.CTAPhone = " ", "2026-10-01", []string{"pirates"}, []string{"xx"}, "call us"
			_, err := f.svc.Create(ctx, coord, bad)
			wantKey(t, "bad campaign", err, apperr.Invalid, "campaigns.error.name", "campaigns.error.ends_before", "campaigns.error.choice",
				"campaigns.error.languages", "campaigns.error.phone")
			none := campaigns.Input{Name: "x", Languages: []string{"en"}, Channels: []string{"radio"}, StartsOn: "2026-11-01", EndsOn: "2026-11-02"}
			_, err = f.svc.Create(ctx, coord, none)
			wantKey(t, "no audience", err, apperr.Invalid, "campaigns.error.audience")
			if n := f.count(t, `SELECT COUNT(*) FROM campaigns`); n != 0 {
				t.Fatalf("%d campaigns stored after refusals", n)
			}

			c, err := f.svc.Create(ctx, coord, cleaningCampaign())
			if err != nil || c.Status != campaigns.Draft || c.CTA.Set() {
				t.Fatalf("create: %+v, %v", c, err)
			}
			if _, err := f.svc.Create(ctx, f.analyst.Actor, cleaningCampaign()); !apperr.Is(err, apperr.Forbidden) {
				t.Fatalf("analyst creates: %v", err)
			}
			if _, err := f.svc.List(ctx, f.worker.Actor); !apperr.Is(err, apperr.Forbidden) {
				t.Fatalf("case worker lists: %v", err)
			}

			wantKey(t, "launch bare", f.svc.Launch(ctx, coord, c.ID), apperr.Invalid, "campaigns.error.launch_target", "campaigns.error.launch_cta")

			_, err = f.svc.AddMaterial(ctx, coord, c.ID, campaigns.MaterialInput{Title: "Spot", Channel: "radio", Language: "de"})
			wantKey(t, "material off the campaign", err, apperr.Invalid, "campaigns.error.material_channel", "campaigns.error.material_language")
			poster, err := f.svc.AddMaterial(ctx, coord, c.ID, campaigns.MaterialInput{Title: "Poster A3", Channel: "poster", Language: "en"})
			if err != nil {
				t.Fatal(err)
			}
			leaflet, err := f.svc.AddMaterial(ctx, coord, c.ID, campaigns.MaterialInput{Title: "Leaflet", Channel: "leaflet", Language: "ro"})
			if err != nil || leaflet.Code == poster.Code || campaigns.NormaliseCode(poster.Code) != poster.Code {
				t.Fatalf("codes %q %q, %v", poster.Code, leaflet.Code, err)
			}

			_, err = f.svc.QR(ctx, coord, c.ID, poster.ID, "")
			wantKey(t, "QR without call to action", err, apperr.Conflict, "campaigns.error.qr_cta")

			err = f.svc.AddTarget(ctx, coord, c.ID, campaigns.TargetInput{Measure: "hugs", Target: "-3", DueOn: "2026-01-01"})
			wantKey(t, "bad target", err, apperr.Invalid, "campaigns.error.measure", "campaigns.error.target", "campaigns.error.due_on")
			wantKey(t, "still no target", f.svc.Launch(ctx, coord, c.ID), apperr.Invalid, "campaigns.error.launch_target")
			if err := f.svc.AddTarget(ctx, coord, c.ID, campaigns.TargetInput{Measure: "contacts", Target: "40", DueOn: "2027-01-31"}); err != nil {
				t.Fatal(err)
			}
			wantKey(t, "no call to action", f.svc.Launch(ctx, coord, c.ID), apperr.Invalid, "campaigns.error.launch_cta")
			in := cleaningCampaign()
			in.CTAReport, in.CTAPhone = true, "+49 800 123 4567"
			if _, err := f.svc.Update(ctx, coord, c.ID, in); err != nil {
				t.Fatal(err)
			}
			if err := f.svc.Launch(ctx, coord, c.ID); err != nil {
				t.Fatal(err)
			}
			err = f.svc.AddTarget(ctx, coord, c.ID, campaigns.TargetInput{Measure: "reports", Target: "5", DueOn: "2027-01-31"})
			wantKey(t, "target after launch", err, apperr.Conflict, "campaigns.error.targets_frozen")

			img, err := f.svc.QR(ctx, f.analyst.Actor, c.ID, leaflet.ID, "http://ignored.example")
			if err != nil {
				t.Fatal(err)
			}
			wantQR(t, img, publicURL+"/report?c="+leaflet.Code+"&lang=ro")
			if _, err := campaigns.New(f.env.App.Cases, nil, "").QR(ctx, coord, c.ID, leaflet.ID, ""); !apperr.Is(err, apperr.Conflict) {
				t.Fatalf("QR without a public address: %v", err)
			}
			fallback := campaigns.New(f.env.App.Cases, nil, "")
			img, err = fallback.QR(ctx, coord, c.ID, leaflet.ID, "http://10.0.0.5:8080")
			if err != nil {
				t.Fatal(err)
			}
			wantQR(t, img, "http://10.0.0.5:8080/report?c="+leaflet.Code+"&lang=ro")
			if n := f.count(t, `SELECT COUNT(*) FROM audit_log WHERE action LIKE 'campaigns.%'`); n < 6 {
				t.Errorf("%d audit entries for campaign changes", n)
			}
		})
	}
}

// wantQR checks that png is a QR code of content: a PNG of the right
// size for the symbol's module count, with a white quiet zone, whose
// modules are those of content's symbol.
func wantQR(t *testing.T, data []byte, content string) {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("QR is not a PNG: %v", err)
	}
	want, err := qr.Encode(content, qr.M, qr.Auto)
	if err != nil {
		t.Fatal(err)
	}
	n := want.Bounds().Dx()
	if n < 21 || (n-17)%4 != 0 {
		t.Fatalf("module count %d is no QR version", n)
	}
	side := (n + 2*campaigns.QRQuiet) * campaigns.QRScale
	if img.Bounds() != image.Rect(0, 0, side, side) {
		t.Fatalf("image %v, want %d×%d for %d modules", img.Bounds(), side, side, n)
	}
	dark := func(x, y int) bool {
		r, _, _, _ := img.At(x, y).RGBA()
		return r < 0x8000
	}
	for y := -campaigns.QRQuiet; y < n+campaigns.QRQuiet; y++ {
		for x := -campaigns.QRQuiet; x < n+campaigns.QRQuiet; x++ {
			px, py := (x+campaigns.QRQuiet)*campaigns.QRScale+campaigns.QRScale/2, (y+campaigns.QRQuiet)*campaigns.QRScale+campaigns.QRScale/2
			module := false
			if x >= 0 && y >= 0 && x < n && y < n {
				r, _, _, _ := want.At(x, y).RGBA()
				module = r == 0
			}
			if dark(px, py) != module {
				t.Fatalf("module (%d, %d) differs from the symbol of %q", x, y, content)
			}
		}
	}
}

// TestFunnel: a public report and a call name the campaign's codes; the
// report becomes a screening and the screening a referral; the funnel
// counts each step and the target. Unknown codes are dropped from reports
// without a word and refused on calls.
func TestFunnel(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			ctx, coord, app := context.Background(), f.coordinator.Actor, f.env.App
			in := cleaningCampaign()
			in.CTAReport = true
			// The funnel counts what happens within the period: today is in it.
			in.StartsOn, in.EndsOn = day(-30), day(60)
			c, err := f.svc.Create(ctx, coord, in)
			if err != nil {
				t.Fatal(err)
			}
			poster, err := f.svc.AddMaterial(ctx, coord, c.ID, campaigns.MaterialInput{Title: "Poster", Channel: "poster", Language: "en"})
			if err != nil {
				t.Fatal(err)
			}
			if err := f.svc.AddTarget(ctx, coord, c.ID, campaigns.TargetInput{Measure: "contacts", Target: "2", DueOn: in.EndsOn}); err != nil {
				t.Fatal(err)
			}
			if err := f.svc.AddTarget(ctx, coord, c.ID, campaigns.TargetInput{Measure: "referrals", Target: "3", DueOn: in.EndsOn}); err != nil {
				t.Fatal(err)
			}
			if err := f.svc.Launch(ctx, coord, c.ID); err != nil {
				t.Fatal(err)
			}
			err = f.svc.RecordReach(ctx, coord, c.ID, campaigns.ReachInput{MaterialID: poster.ID, People: "1200", CountedOn: "2026-11-20"})
			if err != nil {
				t.Fatal(err)
			}
			err = f.svc.RecordReach(ctx, coord, c.ID, campaigns.ReachInput{Channel: "leaflet", People: "300", CountedOn: "2026-11-20"})
			if err != nil {
				t.Fatal(err)
			}
			err = f.svc.RecordReach(ctx, coord, c.ID, campaigns.ReachInput{Channel: "radio", People: "many", CountedOn: "yesterday"})
			wantKey(t, "bad reach", err, apperr.Invalid, "campaigns.error.material_channel", "campaigns.error.people", "campaigns.error.date")

			typed := strings.ToLower(poster.Code[:3] + " " + poster.Code[3:])
			rec, err := app.Intake.Submit(ctx, intake.Submission{Details: "Cleaners at the town hall are not paid.", Urgency: intake.UrgencySoon,
				Code: typed}, intaketest.Work(app.Intake))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := app.Intake.Submit(ctx, intake.Submission{Details: "Heard on the radio.", Urgency: intake.UrgencySoon, Code: "ZZZZZZ"},
				intaketest.Work(app.Intake)); err != nil {
				t.Fatalf("unknown code refused a report: %v", err)
			}
			if n := f.count(t, `SELECT COUNT(*) FROM reports WHERE attribution_code = $1`, poster.Code); n != 1 {
				t.Fatalf("%d reports carry the code", n)
			}
			if n := f.count(t, `SELECT COUNT(*) FROM reports WHERE attribution_code IS NOT NULL`); n != 1 {
				t.Fatalf("an unknown code was kept: %d reports carry a code", n)
			}

			op := f.operator.Actor
			scope, err := access.Authorize(op, access.LogCalls)
			if err != nil {
				t.Fatal(err)
			}
			// A caller's answer is never refused: a code no material has is
			// kept as typed, sealed, and counts for no campaign.
			call := intake.NewCall{CallerType: "witness", Language: "en", Topic: "suspicion", Code: "the radio, I think"}
			unknown, err := app.Intake.LogCall(ctx, op, scope, call)
			if err != nil {
				t.Fatalf("call with an unknown code: %v", err)
			}
			if n := f.count(t, `SELECT COUNT(*) FROM calls WHERE id = $1 AND attribution_code IS NULL AND attribution_typed IS NOT NULL`, unknown); n != 1 {
				t.Fatal("the unknown code was not kept apart from the codes")
			}
			if got, err := app.Intake.GetCall(ctx, op, scope, unknown); err != nil || got.Code != "" || got.CodeTyped != "the radio, I think" {
				t.Fatalf("call with an unknown code reads %+v, %v", got, err)
			}
			call.Code = poster.Code
			coded, err := app.Intake.LogCall(ctx, op, scope, call)
			if err != nil {
				t.Fatal(err)
			}
			// The coded call leads to a report: one contact, and a report.
			if _, err := app.Intake.ReportFromCall(ctx, op, scope, coded, intake.CallReport{Details: "Workers sleep at the depot."}); err != nil {
				t.Fatal(err)
			}
			// A held report (sent without the form's proof of work) counts in
			// no step until triage takes it out of the held queue.
			held, err := app.Intake.Submit(ctx, intake.Submission{Details: "Seen the poster, same at the car wash.", Urgency: intake.UrgencySoon,
				Code: poster.Code}, intake.Work{})
			if err != nil || !held.Held {
				t.Fatalf("held report: %+v, %v", held, err)
			}

			triage, err := access.Authorize(op, access.TriageReports)
			if err != nil {
				t.Fatal(err)
			}
			sid, err := app.Intake.Convert(ctx, op, triage, rec.ReportID, intake.Conversion{})
			if err != nil {
				t.Fatal(err)
			}
			err = app.Identification.SetProtocol(ctx, coord, identification.Protocol{
				Routes:      map[identification.RouteKey]string{{Purpose: "labour", Population: screening.Adult}: f.hotline},
				Authorities: []string{f.hotline},
			})
			if err != nil {
				t.Fatal(err)
			}
			answers := map[string]screening.Answer{"core.does_work": "yes", "core.arranged_by_others": "yes", "rec.job_different": "yes",
				"rec.terms_worse": "yes", "work.excessive_hours": "yes", "core.money_taken": "yes", "core.documents_held": "yes", "core.debt": "yes"}
			if _, err := app.Screenings.SaveAnswers(ctx, op, sid, answers); err != nil {
				t.Fatal(err)
			}
			if _, err := app.Screenings.Complete(ctx, op, sid); err != nil {
				t.Fatal(err)
			}
			if _, err := app.Identification.Refer(ctx, op, identification.NewReferral{ScreeningID: sid, Purposes: []string{"labour"},
				To: f.hotline, PersonAgreed: true}); err != nil {
				t.Fatal(err)
			}

			fn, err := f.svc.Funnel(ctx, f.analyst.Actor, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if fn.Reach != 1500 || fn.Contacts != 2 || fn.Reports != 2 || fn.Screenings != 1 || fn.Referrals != 1 || fn.Held != 1 {
				t.Fatalf("funnel %+v, want reach 1500, 2 contacts, 2 reports, 1 screening, 1 referral, 1 held", fn)
			}
			if len(fn.Materials) != 1 || fn.Materials[0].Reach != 1200 || fn.Materials[0].Contacts != 2 || fn.Materials[0].Held != 1 ||
				len(fn.Channels) != 1 || fn.Channels[0].Reach != 300 {
				t.Fatalf("by material %+v, by channel %+v", fn.Materials, fn.Channels)
			}
			if len(fn.Targets) != 2 || !fn.Targets[0].Met || fn.Targets[1].Met {
				t.Fatalf("targets %+v: want contacts met, referrals not", fn.Targets)
			}

			// Dismissed as abuse, the held report still counts nowhere.
			if err := app.Intake.Dismiss(ctx, op, triage, held.ReportID, "abuse", ""); err != nil {
				t.Fatal(err)
			}
			if fn, err = f.svc.Funnel(ctx, coord, c.ID); err != nil || fn.Contacts != 2 || fn.Reports != 2 || fn.Held != 0 {
				t.Fatalf("after dismissing the held report as abuse: %+v, %v", fn, err)
			}
		})
	}
}

// day is the date n days from today, in UTC.
func day(n int) string { return time.Now().UTC().AddDate(0, 0, n).Format(time.DateOnly) }

// TestFunnelPeriod: a campaign launched before its first day is scheduled,
// not running, and its funnel counts no contact made before that day; once
// its period includes the day of the contact, the contact counts.
func TestFunnelPeriod(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			ctx, coord, app := context.Background(), f.coordinator.Actor, f.env.App
			in := cleaningCampaign()
			in.CTAReport = true
			in.StartsOn, in.EndsOn = day(10), day(70)
			c, err := f.svc.Create(ctx, coord, in)
			if err != nil {
				t.Fatal(err)
			}
			poster, err := f.svc.AddMaterial(ctx, coord, c.ID, campaigns.MaterialInput{Title: "Poster", Channel: "poster", Language: "en"})
			if err != nil {
				t.Fatal(err)
			}
			if err := f.svc.AddTarget(ctx, coord, c.ID, campaigns.TargetInput{Measure: "contacts", Target: "1", DueOn: in.EndsOn}); err != nil {
				t.Fatal(err)
			}
			if err := f.svc.Launch(ctx, coord, c.ID); err != nil {
				t.Fatal(err)
			}
			got, err := f.svc.Campaign(ctx, f.analyst.Actor, c.ID)
			if err != nil || got.Status != campaigns.Running || !got.Scheduled || got.Phase() != "scheduled" {
				t.Fatalf("launched before its start: %+v, %v; want scheduled", got, err)
			}
			if list, err := f.svc.List(ctx, coord); err != nil || len(list) != 1 || list[0].Phase() != "scheduled" {
				t.Fatalf("list %+v, %v", list, err)
			}
			if _, err := app.Intake.Submit(ctx, intake.Submission{Details: "Saw the poster before it went up officially.", Urgency: intake.UrgencySoon,
				Code: poster.Code}, intaketest.Work(app.Intake)); err != nil {
				t.Fatal(err)
			}
			fn, err := f.svc.Funnel(ctx, f.analyst.Actor, c.ID)
			if err != nil || fn.Contacts != 0 || fn.Reports != 0 || fn.Materials[0].Contacts != 0 || fn.Targets[0].Met {
				t.Fatalf("funnel before the start %+v, %v: want nothing counted", fn, err)
			}
			in.StartsOn = day(0)
			if _, err := f.svc.Update(ctx, coord, c.ID, in); err != nil {
				t.Fatal(err)
			}
			if got, err = f.svc.Campaign(ctx, coord, c.ID); err != nil || got.Scheduled || got.Phase() != campaigns.Running {
				t.Fatalf("started today: %+v, %v; want running", got, err)
			}
			if fn, err = f.svc.Funnel(ctx, coord, c.ID); err != nil || fn.Contacts != 1 || fn.Reports != 1 || fn.Materials[0].Contacts != 1 {
				t.Fatalf("funnel within the period %+v, %v: want the report counted", fn, err)
			}
		})
	}
}

// TestHarmLog: entries are recorded and reviewed once by the coordinator.
func TestHarmLog(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			ctx, coord := context.Background(), f.coordinator.Actor
			c, err := f.svc.Create(ctx, coord, cleaningCampaign())
			if err != nil {
				t.Fatal(err)
			}
			err = f.svc.RecordHarm(ctx, coord, c.ID, campaigns.HarmInput{Kind: "gossip", Severity: "huge", HappenedOn: "2999-01-01"})
			wantKey(t, "bad entry", err, apperr.Invalid, "campaigns.error.choice", "campaigns.error.date", "campaigns.error.description")
			today := time.Now().UTC().Format(time.DateOnly)
			if err := f.svc.RecordHarm(ctx, coord, c.ID, campaigns.HarmInput{Kind: "misunderstood", Severity: "medium", HappenedOn: today,
				Description: "Readers took the poster for an immigration control notice."}); err != nil {
				t.Fatal(err)
			}
			if err := f.svc.RecordHarm(ctx, f.analyst.Actor, c.ID, campaigns.HarmInput{Kind: "other", Severity: "low", HappenedOn: today,
				Description: "x"}); !apperr.Is(err, apperr.Forbidden) {
				t.Fatalf("analyst records harm: %v", err)
			}
			log, err := f.svc.Harms(ctx, coord, c.ID)
			if err != nil || len(log.Entries) != 1 || log.Entries[0].ReviewedAt != nil || log.Open != 1 {
				t.Fatalf("harms %+v, %v", log, err)
			}
			harms := log.Entries
			err = f.svc.ReviewHarm(ctx, coord, c.ID, harms[0].ID, " ")
			wantKey(t, "empty review", err, apperr.Invalid, "campaigns.error.action_taken")
			if e := apperr.As(err); len(e.Fields) != 1 || e.Fields[0].Field != "action_"+harms[0].ID {
				t.Fatalf("the empty review's error names %+v, want the entry's own field", e.Fields)
			}
			if err := f.svc.ReviewHarm(ctx, coord, c.ID, harms[0].ID, "Poster withdrawn; new wording tested with the migrant centre."); err != nil {
				t.Fatal(err)
			}
			wantKey(t, "second review", f.svc.ReviewHarm(ctx, coord, c.ID, harms[0].ID, "again"), apperr.Conflict, "campaigns.error.reviewed")
			log, err = f.svc.Harms(ctx, coord, c.ID)
			if err != nil || log.Open != 0 || log.Reviewed != 1 || log.Entries[0].ReviewedBy != "coord" || log.Entries[0].ReviewedAt == nil ||
				!strings.HasPrefix(log.Entries[0].ActionTaken, "Poster withdrawn") {
				t.Fatalf("reviewed %+v, %v", log, err)
			}
			// The analyst reads campaigns as counts only: the entries'
			// descriptions, reviewers and actions are not theirs to see.
			log, err = f.svc.Harms(ctx, f.analyst.Actor, c.ID)
			if err != nil || log.Entries != nil || log.Open != 0 || log.Reviewed != 1 {
				t.Fatalf("the analyst's harm log %+v, %v: want counts only", log, err)
			}
		})
	}
}

// TestQRScans reads a QR image back with an independent decoder, zbarimg
// (Debian package zbar-tools), where the machine has it.
func TestQRScans(t *testing.T) {
	zbar, err := exec.LookPath("zbarimg")
	if err != nil {
		t.Skip("zbarimg is not installed")
	}
	const content = publicURL + "/report?c=K7M3PQ&lang=ro"
	img, err := campaigns.QRImage(content)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "qr.png")
	if err := os.WriteFile(path, img, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(zbar, "--quiet", "--raw", path).Output()
	if err != nil || strings.TrimSpace(string(out)) != content {
		t.Fatalf("zbarimg read %q (%v), want %q", out, err, content)
	}
}

// TestHarmSealed: a harm log entry's description is sealed, not stored in
// the clear; entries from before migration 0047 are sealed at start; a
// forgotten key leaves the entry and its review readable, the
// description marked erased.
func TestHarmSealed(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			ctx, coord, app := context.Background(), f.coordinator.Actor, f.env.App
			c, err := f.svc.Create(ctx, coord, cleaningCampaign())
			if err != nil {
				t.Fatal(err)
			}
			today := time.Now().UTC().Format(time.DateOnly)
			secret := "A cleaner at the depot was shouted at by her supervisor after the poster went up."
			if err := f.svc.RecordHarm(ctx, coord, c.ID, campaigns.HarmInput{Kind: "risk_to_people", Severity: "high", HappenedOn: today,
				Description: secret}); err != nil {
				t.Fatal(err)
			}
			if n := f.count(t, `SELECT COUNT(*) FROM campaign_harms WHERE description = '' AND description_sealed IS NOT NULL`); n != 1 {
				t.Fatalf("%d entries sealed, want 1", n)
			}
			// An entry written before 0047, in the clear, as the old code did.
			err = app.DB.Write(ctx, func(tx *storage.Tx) error {
				_, err := tx.ExecContext(ctx, `INSERT INTO campaign_harms (id, campaign_id, kind, severity, happened_on, description, created_by, created_at)
					VALUES ('legacy-harm', $1, 'backlash', 'low', $2, 'Posters torn down in the market hall.', $3, $4)`, c.ID, today, coord.UserID, time.Now())
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			for range 2 {
				if err := f.svc.SealHarmDescriptions(ctx); err != nil {
					t.Fatal(err)
				}
			}
			if n := f.count(t, `SELECT COUNT(*) FROM campaign_harms WHERE description <> '' OR description_sealed IS NULL`); n != 0 {
				t.Fatalf("%d entries still in the clear", n)
			}
			log, err := f.svc.Harms(ctx, coord, c.ID)
			if err != nil || len(log.Entries) != 2 {
				t.Fatalf("harms %+v, %v", log, err)
			}
			harms := log.Entries
			texts := map[string]string{}
			for _, h := range harms {
				texts[h.ID] = h.Description
			}
			if texts["legacy-harm"] != "Posters torn down in the market hall." || !slices.Contains(slices.Collect(maps.Values(texts)), secret) {
				t.Fatalf("descriptions read back %v", texts)
			}
			var id string
			for k, v := range texts {
				if v == secret {
					id = k
				}
			}
			if err := f.svc.ReviewHarm(ctx, coord, c.ID, id, "Met the supplier; the supervisor was moved."); err != nil {
				t.Fatal(err)
			}
			if err := app.DB.Write(ctx, func(tx *storage.Tx) error { return app.Vault.Forget(ctx, tx, "campaign_harms/"+id) }); err != nil {
				t.Fatal(err)
			}
			log, err = f.svc.Harms(ctx, coord, c.ID)
			if err != nil || len(log.Entries) != 2 {
				t.Fatalf("harms after forgetting a key: %+v, %v", log, err)
			}
			harms = log.Entries
			for _, h := range harms {
				if h.ID == id && (!h.Erased || h.Description != "" || h.ActionTaken != "Met the supplier; the supervisor was moved." || h.ReviewedAt == nil) {
					t.Fatalf("forgotten entry %+v: want erased with its review", h)
				}
				if h.ID == "legacy-harm" && (h.Erased || h.Description == "") {
					t.Fatalf("the other entry lost its description: %+v", h)
				}
			}
		})
	}
}

// surveyAnswers is a response to the campaign survey.
func surveyAnswers(saw, recognised, knows, act string) url.Values {
	return url.Values{"saw_campaign": {saw}, "recognised": {recognised}, "knows_where": {knows}, "would_act": {act}}
}

// TestSurvey: responses to the campaign survey are entered by the
// coordinator or an outreach worker, counted before and after launch, and
// set against the survey targets declared before launch; bad input
// changes nothing.
func TestSurvey(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			ctx, coord := context.Background(), f.coordinator.Actor
			in := cleaningCampaign()
			in.CTAReport = true
			c, err := f.svc.Create(ctx, coord, in)
			if err != nil {
				t.Fatal(err)
			}
			err = f.svc.AddTarget(ctx, coord, c.ID, campaigns.TargetInput{Measure: "survey_knows_where", Target: "150", DueOn: "2027-01-31"})
			wantKey(t, "share over 100", err, apperr.Invalid, "campaigns.error.target_share")
			if err := f.svc.AddTarget(ctx, coord, c.ID, campaigns.TargetInput{Measure: "survey_knows_where", Target: "50", DueOn: "2027-01-31"}); err != nil {
				t.Fatal(err)
			}
			if err := f.svc.AddTarget(ctx, coord, c.ID, campaigns.TargetInput{Measure: "survey_would_act", Target: "80", DueOn: "2027-01-31"}); err != nil {
				t.Fatal(err)
			}
			today := f.svc.Today()
			baseline := time.Now().UTC().AddDate(0, 0, -10).Format(time.DateOnly)

			_, err = f.svc.RecordSurvey(ctx, coord, c.ID, "2999-01-01", url.Values{"saw_campaign": {"perhaps"}}, "de")
			wantKey(t, "bad response", err, apperr.Invalid, "campaigns.error.answered_on")
			if e := apperr.As(err); len(e.Fields) < 4 {
				t.Fatalf("bad response: fields %+v, want the day, the bad choice and the missing answers", e.Fields)
			}
			if _, err := f.svc.RecordSurvey(ctx, f.analyst.Actor, c.ID, today, surveyAnswers("yes", "yes", "yes", "yes"), "en"); !apperr.Is(err, apperr.Forbidden) {
				t.Fatalf("analyst enters a response: %v", err)
			}
			if n := f.count(t, `SELECT COUNT(*) FROM campaign_survey_responses`); n != 0 {
				t.Fatalf("%d responses stored after refusals", n)
			}
			// Baseline before launch: 1 of 2 knows where to report.
			for _, v := range []url.Values{surveyAnswers("no", "no", "yes", "maybe"), surveyAnswers("no", "no", "no", "no")} {
				if _, err := f.svc.RecordSurvey(ctx, coord, c.ID, baseline, v, "en"); err != nil {
					t.Fatal(err)
				}
			}
			if err := f.svc.Launch(ctx, coord, c.ID); err != nil {
				t.Fatal(err)
			}
			// After launch, entered by an outreach worker (a case worker): 3 of 4 know.
			for _, v := range []url.Values{surveyAnswers("yes", "yes", "yes", "yes"), surveyAnswers("yes", "no", "yes", "maybe"),
				surveyAnswers("unsure", "unsure", "yes", "no"), surveyAnswers("no", "no", "no", "yes")} {
				if _, err := f.svc.RecordSurvey(ctx, f.worker.Actor, c.ID, today, v, "en"); err != nil {
					t.Fatal(err)
				}
			}
			res, err := f.svc.SurveyResults(ctx, f.analyst.Actor, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if res.Before != 2 || res.After != 4 || len(res.Questions) != 4 {
				t.Fatalf("results %+v: want 2 before, 4 after, 4 questions", res)
			}
			knows, act := res.Questions[2], res.Questions[3]
			if knows.Question != "knows_where" || knows.YesBefore != 1 || knows.ShareBefore != 50 || knows.YesAfter != 3 || knows.ShareAfter != 75 {
				t.Fatalf("knows where to report: %+v", knows)
			}
			if act.YesAfter != 2 || act.ShareAfter != 50 || knows.LabelIn("de") == knows.LabelIn("en") {
				t.Fatalf("would act: %+v", act)
			}
			fn, err := f.svc.Funnel(ctx, coord, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(fn.Targets) != 2 || fn.Targets[0].Survey == nil || fn.Targets[0].Count != 75 || !fn.Targets[0].Met ||
				fn.Targets[1].Count != 50 || fn.Targets[1].Met {
				t.Fatalf("survey targets %+v: want knows-where 75%% met, would-act 50%% not", fn.Targets)
			}
			if n := f.count(t, `SELECT COUNT(*) FROM audit_log WHERE action = 'campaigns.survey.record'`); n != 6 {
				t.Fatalf("%d survey responses audited, want 6", n)
			}
			if err := f.svc.End(ctx, coord, c.ID); err != nil {
				t.Fatal(err)
			}
			_, err = f.svc.RecordSurvey(ctx, coord, c.ID, today, surveyAnswers("yes", "yes", "yes", "yes"), "en")
			wantKey(t, "response to an ended campaign", err, apperr.Invalid, "campaigns.error.survey_campaign")
			_, err = f.svc.RecordSurvey(ctx, coord, "no-such-campaign", today, surveyAnswers("yes", "yes", "yes", "yes"), "en")
			wantKey(t, "response to no campaign", err, apperr.Invalid, "campaigns.error.survey_campaign")
			if n := f.count(t, `SELECT COUNT(*) FROM campaign_survey_responses`); n != 6 {
				t.Fatalf("%d responses stored, want the 6 accepted", n)
			}
		})
	}
}

// TestAttribution: the console lists the running campaigns' codes; a
// code's campaign and material are named for staff who may see them.
func TestAttribution(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			ctx, coord := context.Background(), f.coordinator.Actor
			in := cleaningCampaign()
			in.CTAReport = true
			running, err := f.svc.Create(ctx, coord, in)
			if err != nil {
				t.Fatal(err)
			}
			poster, err := f.svc.AddMaterial(ctx, coord, running.ID, campaigns.MaterialInput{Title: "Poster A3", Channel: "poster", Language: "en"})
			if err != nil {
				t.Fatal(err)
			}
			if err := f.svc.AddTarget(ctx, coord, running.ID, campaigns.TargetInput{Measure: "contacts", Target: "5", DueOn: "2027-01-31"}); err != nil {
				t.Fatal(err)
			}
			if err := f.svc.Launch(ctx, coord, running.ID); err != nil {
				t.Fatal(err)
			}
			draft, err := f.svc.Create(ctx, coord, cleaningCampaign())
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.svc.AddMaterial(ctx, coord, draft.ID, campaigns.MaterialInput{Title: "Draft leaflet", Channel: "leaflet", Language: "en"}); err != nil {
				t.Fatal(err)
			}
			codes, err := f.svc.RunningCodes(ctx, f.operator.Actor)
			if err != nil || len(codes) != 1 || codes[0].Code != poster.Code || codes[0].Title != "Poster A3" || codes[0].Campaign != "Clean work" {
				t.Fatalf("running codes %+v, %v: want the running campaign's poster only", codes, err)
			}
			if _, err := f.svc.RunningCodes(ctx, f.analyst.Actor); !apperr.Is(err, apperr.Forbidden) {
				t.Fatalf("analyst lists the console's codes: %v", err)
			}
			src, ok, err := f.svc.SourceOf(ctx, f.operator.Actor, poster.Code)
			if err != nil || !ok || src.CampaignID != running.ID || src.Material != "Poster A3" || src.Channel != "poster" || src.Linked {
				t.Fatalf("operator's source %+v %v %v: want named, not linked", src, ok, err)
			}
			if src, ok, err = f.svc.SourceOf(ctx, f.analyst.Actor, poster.Code); err != nil || !ok || !src.Linked {
				t.Fatalf("analyst's source %+v %v %v: want linked", src, ok, err)
			}
			screener := f.env.User("screener", access.Screener, f.hotline)
			if _, ok, err = f.svc.SourceOf(ctx, screener.Actor, poster.Code); err != nil || ok {
				t.Fatalf("screener's source: %v %v, want none", ok, err)
			}
			if _, ok, err = f.svc.SourceOf(ctx, coord, "ZZZZZZ"); err != nil || ok {
				t.Fatalf("unknown code: %v %v", ok, err)
			}
		})
	}
}
