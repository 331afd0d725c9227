package businesses_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/businesses"
	"waymark.city/waymark/internal/i18n"
	"waymark.city/waymark/internal/notify"
	"waymark.city/waymark/internal/notify/smtptest"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

func TestMain(m *testing.M) { os.Exit(storagetest.Main(m)) }

func day(n int) string { return time.Now().AddDate(0, 0, n).Format(time.DateOnly) }

func rows(t *testing.T, env *apptest.Env, table string) int {
	t.Helper()
	ctx := context.Background()
	var n int
	if err := env.App.DB.Read(ctx, func(tx *storage.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table).Scan(&n)
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

func wantKey(t *testing.T, what string, err error, key string) {
	t.Helper()
	if !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("%s: %v, want a validation error", what, err)
	}
	for _, f := range apperr.As(err).Fields {
		if f.Key == key {
			return
		}
	}
	t.Fatalf("%s: fields %+v, want %s", what, apperr.As(err).Fields, key)
}

func TestBusinessesAndFollowUps(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			env := apptest.Start(t, engine)
			ctx := context.Background()
			city := env.Org("Human Rights Office", accounts.Municipality)
			ngo := env.Org("Safe Harbour", accounts.NGO)
			coord := env.User("coord", access.Coordinator, city)
			buyer := env.User("buyer", access.ProcurementOfficer, city)
			worker := env.User("worker", access.CaseWorker, ngo)
			svc := env.App.Businesses

			for _, tc := range []struct {
				name, key string
				in        businesses.Input
			}{
				{"no name", "businesses.error.name", businesses.Input{Kind: "business", Sector: "cleaning"}},
				{"unknown sector", "businesses.error.sector", businesses.Input{Name: "Sparkle Ltd", Kind: "business", Sector: "piracy"}},
				{"unknown kind", "businesses.error.kind", businesses.Input{Name: "Sparkle Ltd", Kind: "person", Sector: "cleaning"}},
				{"unknown contact", "businesses.error.contact_org", businesses.Input{Name: "Sparkle Ltd", Kind: "business", Sector: "cleaning", ContactOrgID: "nope"}},
			} {
				_, err := svc.Create(ctx, coord.Actor, tc.in)
				wantKey(t, tc.name, err, tc.key)
			}
			if _, err := svc.Create(ctx, worker.Actor, businesses.Input{Name: "Sparkle Ltd", Kind: "business", Sector: "cleaning"}); !apperr.Is(err, apperr.Forbidden) {
				t.Fatalf("case worker records: %v", err)
			}
			if rows(t, env, "businesses") != 0 {
				t.Fatal("a refused business was stored")
			}

			assoc, err := svc.Create(ctx, buyer.Actor, businesses.Input{Name: "Cleaning Contractors' Association", Kind: "association", Sector: "cleaning", ContactOrgID: city})
			if err != nil {
				t.Fatal(err)
			}
			for _, tc := range []struct {
				name, key string
				in        businesses.CommitmentInput
			}{
				{"unknown kind", "businesses.error.commitment_kind", businesses.CommitmentInput{Kind: "charity", MadeOn: day(-1)}},
				{"future", "businesses.error.made_on", businesses.CommitmentInput{Kind: "code_of_ethics", MadeOn: day(5)}},
				{"follow-up before made", "businesses.error.follow_up_on", businesses.CommitmentInput{Kind: "code_of_ethics", MadeOn: day(-1), FollowUpOn: day(-2)}},
				{"bad follow-up", "businesses.error.follow_up_on", businesses.CommitmentInput{Kind: "code_of_ethics", MadeOn: day(-1), FollowUpOn: "soon"}},
			} {
				_, err := svc.AddCommitment(ctx, coord.Actor, assoc.ID, tc.in)
				wantKey(t, tc.name, err, tc.key)
			}
			if _, err := svc.AddCommitment(ctx, coord.Actor, "nope", businesses.CommitmentInput{Kind: "code_of_ethics", MadeOn: day(-1)}); !apperr.Is(err, apperr.NotFound) {
				t.Fatalf("commitment of no business: %v", err)
			}
			if rows(t, env, "business_commitments") != 0 {
				t.Fatal("a refused commitment was stored")
			}
			code, err := svc.AddCommitment(ctx, coord.Actor, assoc.ID, businesses.CommitmentInput{Kind: "code_of_ethics", MadeOn: day(-30), FollowUpOn: day(3)})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := svc.AddCommitment(ctx, coord.Actor, assoc.ID, businesses.CommitmentInput{Kind: "supplier_audits", MadeOn: day(-30), FollowUpOn: day(60)}); err != nil {
				t.Fatal(err)
			}
			ov, err := svc.List(ctx, buyer.Actor)
			if err != nil || len(ov.Records) != 1 || ov.Records[0].Open != 2 || len(ov.Due) != 1 || ov.Due[0].ID != code.ID {
				t.Fatalf("overview: %+v %v", ov, err)
			}

			srv, err := smtptest.Start()
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { srv.Close() })
			r := notify.Reminders{Mailer: notify.Mailer{Addr: srv.Addr(), From: "waymark@city.example"}, PublicURL: "https://waymark.city.example",
				Catalog: env.App.Catalog, Address: func(ctx context.Context, userID string) (string, error) {
					p, err := env.App.Accounts.RevealProfile(ctx, accounts.System, userID)
					return p.Email, err
				}}
			// The coordinator and the procurement officer are mailed the
			// one commitment due, once.
			if n, err := svc.SendReminders(ctx, r); err != nil || n != 2 {
				t.Fatalf("send reminders: %d %v", n, err)
			}
			msgs := srv.Wait(2, 5*time.Second)
			if len(msgs) != 2 || !strings.Contains(msgs[0].Data, "https://waymark.city.example/businesses/"+assoc.ID) ||
				!strings.Contains(msgs[0].Data, "code of ethics") || strings.Contains(msgs[0].Data, "suppliers") {
				t.Fatalf("mails: %+v", msgs)
			}
			if n, err := svc.SendReminders(ctx, r); err != nil || n != 0 {
				t.Fatalf("second run: %d %v", n, err)
			}

			if _, err := svc.FollowedUp(ctx, coord.Actor, code.ID, day(-1)); err == nil {
				t.Fatal("a next follow-up in the past was accepted")
			}
			c, err := svc.FollowedUp(ctx, coord.Actor, code.ID, day(180))
			if err != nil || c.FollowedOn != day(0) || c.FollowUpOn != day(180) {
				t.Fatalf("followed up: %+v %v", c, err)
			}
			if ov, _ := svc.List(ctx, coord.Actor); len(ov.Due) != 0 {
				t.Fatalf("still due: %+v", ov.Due)
			}

			// The export: a row per commitment (a business without one on
			// its own), follow-up dates, a typed formula made inert;
			// audited; refused to a case worker and audited.
			if _, err := svc.Create(ctx, coord.Actor, businesses.Input{Name: "=cmd|' /C calc'!A0", Kind: "business", Sector: "cleaning"}); err != nil {
				t.Fatal(err)
			}
			cat, err := i18n.Load()
			if err != nil {
				t.Fatal(err)
			}
			e, err := svc.ExportAll(ctx, buyer.Actor)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := e.WriteCSV(&buf, cat.For("de")); err != nil {
				t.Fatal(err)
			}
			got, err := csv.NewReader(&buf).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			de := cat.For("de")
			if len(got) != 4 || got[0][0] != de.T("businesses.name") || got[1][0] != "'=cmd|' /C calc'!A0" || got[1][4] != "" ||
				got[2][0] != assoc.Name || got[2][1] != de.T("businesses.kind.association") || got[2][3] != "Human Rights Office" ||
				got[2][4] != de.T("businesses.commitment.code_of_ethics") || got[2][6] != day(180) || got[2][7] != day(0) || got[2][8] != "nein" ||
				got[3][4] != de.T("businesses.commitment.supplier_audits") || got[3][6] != day(60) {
				t.Fatalf("CSV rows: %q", got)
			}
			buf.Reset()
			if err := e.WriteXLSX(&buf, cat.For("en")); err != nil {
				t.Fatal(err)
			}
			wb, err := excelize.OpenReader(&buf)
			if err != nil {
				t.Fatal(err)
			}
			defer wb.Close()
			xrows, err := wb.GetRows("Businesses")
			if err != nil {
				t.Fatal(err)
			}
			if len(xrows) != 4 || xrows[0][4] != "Commitment" || xrows[2][4] != "Signed a code of ethics against exploitation" || xrows[2][0] != assoc.Name {
				t.Fatalf("XLSX rows: %q", xrows)
			}
			if _, err := svc.ExportAll(ctx, worker.Actor); !apperr.Is(err, apperr.Forbidden) {
				t.Fatalf("case worker exports: %v", err)
			}
			var exported, refused int
			if err := env.App.DB.Read(ctx, func(tx *storage.Tx) error {
				if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = 'businesses.export' AND outcome = 'allowed'`).Scan(&exported); err != nil {
					return err
				}
				return tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = 'businesses.manage' AND outcome = 'denied' AND actor_user_id = $1`,
					worker.ID).Scan(&refused)
			}); err != nil || exported != 1 || refused != 2 {
				t.Fatalf("audited: %d exports, %d refusals (%v)", exported, refused, err)
			}
		})
	}
}
