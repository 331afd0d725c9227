package agreements_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/agreements"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/audit"
	"waymark.city/waymark/internal/notify"
	"waymark.city/waymark/internal/notify/smtptest"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

func TestMain(m *testing.M) { os.Exit(storagetest.Main(m)) }

type fixture struct {
	env                       *apptest.Env
	svc                       *agreements.Service
	city, police, ngo, labour string
	coordinator, worker       apptest.User
	analyst                   apptest.User
}

func newFixture(t *testing.T, env *apptest.Env) *fixture {
	t.Helper()
	f := &fixture{env: env, svc: env.App.Agreements}
	f.city = env.Org("City of Example", accounts.Municipality)
	f.police = env.Org("City Police", accounts.Police)
	f.ngo = env.Org("Safe Harbour", accounts.NGO)
	f.labour = env.Org("Labour Inspectorate", accounts.LabourInspectorate)
	f.coordinator = env.User("coord", access.Coordinator, f.city)
	f.worker = env.User("worker", access.CaseWorker, f.ngo)
	f.analyst = env.User("analyst", access.Analyst, f.city)
	return f
}

func day(offset int) string { return time.Now().UTC().AddDate(0, 0, offset).Format(time.DateOnly) }

func wantField(t *testing.T, what string, err error, code apperr.Code, key string) {
	t.Helper()
	if !apperr.Is(err, code) {
		t.Fatalf("%s: error %v, want %s", what, err, code)
	}
	if key == "" {
		return
	}
	e := apperr.As(err)
	if e.Key == key {
		return
	}
	for _, fe := range e.Fields {
		if fe.Key == key {
			return
		}
	}
	t.Fatalf("%s: key %q, fields %+v, want %q", what, e.Key, e.Fields, key)
}

// snapshot is what the refusals must leave unchanged.
func snapshot(t *testing.T, env *apptest.Env) string {
	t.Helper()
	ctx := context.Background()
	var b strings.Builder
	err := env.App.DB.Read(ctx, func(tx *storage.Tx) error {
		for _, q := range []string{
			`SELECT id || '|' || title || '|' || scope || '|' || status || '|' || signed_on || '|' || renew_on || '|' || remind_days || '|' || outside || '|' || document_size FROM agreements ORDER BY id`,
			`SELECT agreement_id || '|' || org_id FROM agreement_parties ORDER BY agreement_id, org_id`,
			`SELECT id || '|' || org_id || '|' || job_title || '|' || hours || '|' || languages FROM org_contacts ORDER BY id`,
		} {
			rows, err := tx.QueryContext(ctx, q)
			if err != nil {
				return err
			}
			for rows.Next() {
				var s string
				if err := rows.Scan(&s); err != nil {
					rows.Close()
					return err
				}
				b.WriteString(s + "\n")
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func auditActions(t *testing.T, env *apptest.Env) []string {
	t.Helper()
	entries, _, err := env.App.Audit.List(context.Background(), env.App.DB, access.SystemScope(), audit.Filter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Action)
	}
	return out
}

func count(list []string, v string) int {
	n := 0
	for _, x := range list {
		if x == v {
			n++
		}
	}
	return n
}

// pdf is a minimal document http.DetectContentType takes for a PDF.
var pdf = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")

func TestAgreements(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, apptest.Start(t, engine))
			ctx := context.Background()
			in := agreements.Input{Title: "  Memorandum   of cooperation ", Scope: "Referral of presumed victims; named police contact persons.",
				Status: agreements.Signed, SignedOn: day(-300), RenewOn: day(30), RemindDays: "45",
				OrgIDs: []string{f.police, f.ngo, f.police}, Outside: "Regional prosecutor's office\n\n  Regional prosecutor's office \n"}
			a, err := f.svc.Create(ctx, f.coordinator.Actor, in)
			if err != nil {
				t.Fatalf("create: %v", err)
			}
			if a.Title != "Memorandum of cooperation" || len(a.Parties) != 2 || len(a.Outside) != 1 || a.RemindDays != 45 || a.HasDocument() {
				t.Fatalf("created %+v", a)
			}
			if !a.RenewalDue(day(0)) || a.Overdue(day(0)) || a.RenewalDue(day(-20)) {
				t.Errorf("renewal in 30 days reminded 45 days before: due %v, overdue %v", a.RenewalDue(day(0)), a.Overdue(day(0)))
			}
			draft, err := f.svc.Create(ctx, f.coordinator.Actor, agreements.Input{Title: "Labour inspections with the NGO",
				Status: agreements.Draft, OrgIDs: []string{f.ngo, f.labour}})
			if err != nil || draft.RemindDays != agreements.DefaultRemindDays || draft.RenewalDue(day(1000)) {
				t.Fatalf("draft: %+v, %v", draft, err)
			}

			before := snapshot(t, f.env)
			ok := in
			for _, tc := range []struct {
				name  string
				actor access.Actor
				edit  func(*agreements.Input)
				code  apperr.Code
				key   string
			}{
				{"case worker", f.worker.Actor, func(*agreements.Input) {}, apperr.Forbidden, ""},
				{"analyst", f.analyst.Actor, func(*agreements.Input) {}, apperr.Forbidden, ""},
				{"renewal before signing", f.coordinator.Actor, func(in *agreements.Input) { in.RenewOn = day(-301) }, apperr.Invalid, "agreements.error.renew_before_signing"},
				{"renewal on the signing day", f.coordinator.Actor, func(in *agreements.Input) { in.RenewOn = in.SignedOn }, apperr.Invalid, "agreements.error.renew_before_signing"},
				{"unknown organisation", f.coordinator.Actor, func(in *agreements.Input) { in.OrgIDs = []string{f.police, "01900000-0000-7000-8000-000000000000"} }, apperr.Invalid, "agreements.error.org_unknown"},
				{"one party", f.coordinator.Actor, func(in *agreements.Input) { in.OrgIDs, in.Outside = []string{f.police}, "" }, apperr.Invalid, "agreements.error.parties"},
				{"no title", f.coordinator.Actor, func(in *agreements.Input) { in.Title = "  " }, apperr.Invalid, "agreements.error.title"},
				{"bad status", f.coordinator.Actor, func(in *agreements.Input) { in.Status = "pending" }, apperr.Invalid, "agreements.error.status"},
				{"signed without date", f.coordinator.Actor, func(in *agreements.Input) { in.SignedOn, in.RenewOn = "", "" }, apperr.Invalid, "agreements.error.signed_on"},
				{"signed in the future", f.coordinator.Actor, func(in *agreements.Input) { in.SignedOn, in.RenewOn = day(3), day(400) }, apperr.Invalid, "agreements.error.date_future"},
				{"draft with signing date", f.coordinator.Actor, func(in *agreements.Input) { in.Status, in.RenewOn = agreements.Draft, "" }, apperr.Invalid, "agreements.error.signed_draft"},
				{"draft with renewal", f.coordinator.Actor, func(in *agreements.Input) { in.Status, in.SignedOn = agreements.Draft, "" }, apperr.Invalid, "agreements.error.renew_unsigned"},
				{"not a date", f.coordinator.Actor, func(in *agreements.Input) { in.RenewOn = "31.12.2030" }, apperr.Invalid, "agreements.error.date"},
				{"reminder too early", f.coordinator.Actor, func(in *agreements.Input) { in.RemindDays = "400" }, apperr.Invalid, "agreements.error.remind_days"},
				{"reminder not a number", f.coordinator.Actor, func(in *agreements.Input) { in.RemindDays = "soon" }, apperr.Invalid, "agreements.error.remind_days"},
			} {
				bad := ok
				bad.OrgIDs = append([]string(nil), ok.OrgIDs...)
				tc.edit(&bad)
				_, err := f.svc.Create(ctx, tc.actor, bad)
				wantField(t, "create, "+tc.name, err, tc.code, tc.key)
				_, err = f.svc.Update(ctx, tc.actor, a.ID, bad)
				wantField(t, "update, "+tc.name, err, tc.code, tc.key)
			}
			if after := snapshot(t, f.env); after != before {
				t.Fatalf("refused input changed the data:\nbefore %s\nafter %s", before, after)
			}

			// Edit: the draft is signed; the parties change.
			signed, err := f.svc.Update(ctx, f.coordinator.Actor, draft.ID, agreements.Input{Title: draft.Title, Status: agreements.Signed,
				SignedOn: day(0), RenewOn: day(365), OrgIDs: []string{f.labour, f.ngo, f.police}})
			if err != nil || signed.Status != agreements.Signed || len(signed.Parties) != 3 || signed.RenewalDue(day(0)) {
				t.Fatalf("update: %+v, %v", signed, err)
			}
			list, err := f.svc.List(ctx, f.worker.Actor)
			if err != nil || len(list) != 2 || list[0].ID != a.ID {
				t.Fatalf("list for a case worker: %+v, %v", list, err)
			}
			if _, err := f.svc.List(ctx, f.analyst.Actor); !apperr.Is(err, apperr.Forbidden) {
				t.Errorf("analyst lists agreements: %v", err)
			}
			due, err := f.svc.Due(ctx, f.coordinator.Actor)
			if err != nil || len(due) != 1 || due[0].ID != a.ID {
				t.Errorf("due renewals: %+v, %v", due, err)
			}
			actions := auditActions(t, f.env)
			if count(actions, "agreement.create") != 2 || count(actions, "agreement.update") != 1 {
				t.Errorf("audit: %v", actions)
			}
		})
	}
}

func TestAgreementDocument(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, apptest.Start(t, engine))
			ctx := context.Background()
			a, err := f.svc.Create(ctx, f.coordinator.Actor, agreements.Input{Title: "Memorandum", Status: agreements.Draft,
				OrgIDs: []string{f.police, f.ngo}})
			if err != nil {
				t.Fatal(err)
			}
			png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89")
			for name, data := range map[string][]byte{
				"a text file named .pdf": []byte("This is not a PDF, whatever the name says."),
				"a PNG image":            png,
				"nothing":                nil,
			} {
				_, err := f.svc.SetDocument(ctx, f.coordinator.Actor, a.ID, data)
				wantField(t, name, err, apperr.Invalid, "agreements.error.document_type")
			}
			big := append(append([]byte{}, pdf...), bytes.Repeat([]byte(" "), agreements.MaxDocument)...)
			_, err = f.svc.SetDocument(ctx, f.coordinator.Actor, a.ID, big)
			wantField(t, "too large", err, apperr.Invalid, "agreements.error.document_size")
			_, err = f.svc.SetDocument(ctx, f.worker.Actor, a.ID, pdf)
			wantField(t, "case worker uploads", err, apperr.Forbidden, "")
			if _, _, err := f.svc.Document(ctx, f.worker.Actor, a.ID); !apperr.Is(err, apperr.NotFound) {
				t.Fatalf("document before upload: %v", err)
			}

			got, err := f.svc.SetDocument(ctx, f.coordinator.Actor, a.ID, pdf)
			if err != nil || got.DocumentSize != len(pdf) {
				t.Fatalf("upload: %+v, %v", got, err)
			}
			title, doc, err := f.svc.Document(ctx, f.worker.Actor, a.ID)
			if err != nil || title != "Memorandum" || !bytes.Equal(doc, pdf) {
				t.Fatalf("download: %q, %d bytes, %v", title, len(doc), err)
			}
			if _, _, err := f.svc.Document(ctx, f.analyst.Actor, a.ID); !apperr.Is(err, apperr.Forbidden) {
				t.Errorf("analyst downloads: %v", err)
			}
			err = f.env.App.DB.Read(ctx, func(tx *storage.Tx) error {
				var stored []byte
				if err := tx.QueryRowContext(ctx, `SELECT document FROM agreements WHERE id = $1`, a.ID).Scan(&stored); err != nil {
					return err
				}
				if bytes.Contains(stored, []byte("/Catalog")) {
					t.Error("the signed document is stored in the clear")
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			actions := auditActions(t, f.env)
			if count(actions, "agreement.document") != 1 || count(actions, "agreement.document_read") != 1 {
				t.Errorf("audit: %v", actions)
			}
		})
	}
}

func TestContacts(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, apptest.Start(t, engine))
			ctx := context.Background()
			in := agreements.ContactInput{OrgID: f.police, Name: "Inspector Jana Horvat", JobTitle: "Contact officer, trafficking",
				Phone: "+386 1 555 0142", Email: "jana.horvat@police.example", Hours: "Mon–Fri 7–15", Languages: []string{"SL, en", "hr"}}
			c, err := f.svc.CreateContact(ctx, f.coordinator.Actor, in)
			if err != nil {
				t.Fatalf("create contact: %v", err)
			}
			if c.Name != in.Name || c.Phone != in.Phone || c.Dial() != "+38615550142" || strings.Join(c.Languages, ",") != "sl,en,hr" || c.OrgName != "City Police" {
				t.Fatalf("created %+v", c)
			}
			before := snapshot(t, f.env)
			for _, tc := range []struct {
				name  string
				actor access.Actor
				edit  func(*agreements.ContactInput)
				code  apperr.Code
				key   string
			}{
				{"case worker", f.worker.Actor, func(*agreements.ContactInput) {}, apperr.Forbidden, ""},
				{"unknown organisation", f.coordinator.Actor, func(in *agreements.ContactInput) { in.OrgID = "nope" }, apperr.Invalid, "agreements.error.org_unknown"},
				{"no name", f.coordinator.Actor, func(in *agreements.ContactInput) { in.Name = "" }, apperr.Invalid, "agreements.error.contact_name"},
				{"letters in the phone", f.coordinator.Actor, func(in *agreements.ContactInput) { in.Phone = "call the desk" }, apperr.Invalid, "agreements.error.phone"},
				{"plus inside the phone", f.coordinator.Actor, func(in *agreements.ContactInput) { in.Phone = "01 +555" }, apperr.Invalid, "agreements.error.phone"},
				{"bad e-mail", f.coordinator.Actor, func(in *agreements.ContactInput) { in.Email = "jana at police" }, apperr.Invalid, "agreements.error.email"},
				{"bad language", f.coordinator.Actor, func(in *agreements.ContactInput) { in.Languages = []string{"Slovenian"} }, apperr.Invalid, "agreements.error.languages"},
				{"hours too long", f.coordinator.Actor, func(in *agreements.ContactInput) { in.Hours = strings.Repeat("x", 61) }, apperr.Invalid, "agreements.error.too_long"},
			} {
				bad := in
				tc.edit(&bad)
				_, err := f.svc.CreateContact(ctx, tc.actor, bad)
				wantField(t, "create, "+tc.name, err, tc.code, tc.key)
				_, err = f.svc.UpdateContact(ctx, tc.actor, c.ID, bad)
				wantField(t, "update, "+tc.name, err, tc.code, tc.key)
			}
			if err := f.svc.RemoveContact(ctx, f.worker.Actor, c.ID); !apperr.Is(err, apperr.Forbidden) {
				t.Errorf("case worker removes: %v", err)
			}
			if after := snapshot(t, f.env); after != before {
				t.Fatalf("refused input changed the data:\nbefore %s\nafter %s", before, after)
			}

			ngo, err := f.svc.CreateContact(ctx, f.coordinator.Actor, agreements.ContactInput{OrgID: f.ngo, Name: "Mira Kos", Phone: "040 123 456", Hours: "24/7"})
			if err != nil {
				t.Fatal(err)
			}
			edited, err := f.svc.UpdateContact(ctx, f.coordinator.Actor, c.ID, agreements.ContactInput{OrgID: f.police, Name: "Inspector Jana Horvat",
				Phone: "+386 1 555 0199", Hours: "Mon–Fri 7–19"})
			if err != nil || edited.Phone != "+386 1 555 0199" || edited.Email != "" || len(edited.Languages) != 0 {
				t.Fatalf("edit: %+v, %v", edited, err)
			}
			all, err := f.svc.Contacts(ctx, f.worker.Actor)
			if err != nil || len(all) != 2 || all[0].OrgID != f.police || all[1].Name != "Mira Kos" {
				t.Fatalf("contacts for a case worker: %+v, %v", all, err)
			}
			one, err := f.svc.Contacts(ctx, f.worker.Actor, f.ngo)
			if err != nil || len(one) != 1 || one[0].ID != ngo.ID {
				t.Fatalf("contacts of the NGO: %+v, %v", one, err)
			}
			if _, err := f.svc.Contacts(ctx, f.analyst.Actor); !apperr.Is(err, apperr.Forbidden) {
				t.Errorf("analyst reads contacts: %v", err)
			}
			if err := f.svc.RemoveContact(ctx, f.coordinator.Actor, ngo.ID); err != nil {
				t.Fatal(err)
			}
			if all, _ := f.svc.Contacts(ctx, f.coordinator.Actor); len(all) != 1 {
				t.Errorf("after removal: %+v", all)
			}
			actions := auditActions(t, f.env)
			for action, n := range map[string]int{"contact.create": 2, "contact.update": 1, "contact.remove": 1, "contacts.read": 3} {
				if count(actions, action) != n {
					t.Errorf("%d %s in the audit log, want %d: %v", count(actions, action), action, n, actions)
				}
			}
		})
	}
}

// TestContactsSealed checks the SQLite file holds no contact person's name,
// phone or e-mail in the clear.
func TestContactsSealed(t *testing.T) {
	cfg := apptest.Config(t, storage.SQLite)
	f := newFixture(t, apptest.StartWith(t, cfg))
	ctx := context.Background()
	if _, err := f.svc.CreateContact(ctx, f.coordinator.Actor, agreements.ContactInput{OrgID: f.police, Name: "Zdenka Vrabec",
		Phone: "+386 41 987 321", Email: "zdenka.vrabec@police.example", Hours: "24/7"}); err != nil {
		t.Fatal(err)
	}
	if err := f.env.App.DB.Exec(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"waymark.db", "waymark.db-wal"} {
		data, _ := os.ReadFile(filepath.Join(cfg.DataDir, name))
		for _, secret := range []string{"Vrabec", "987 321", "zdenka.vrabec"} {
			if bytes.Contains(data, []byte(secret)) {
				t.Errorf("%s holds %q in the clear", name, secret)
			}
		}
	}
}

func TestRenewalReminder(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, apptest.Start(t, engine))
			ctx := context.Background()
			soon, err := f.svc.Create(ctx, f.coordinator.Actor, agreements.Input{Title: "Memorandum police and NGO", Status: agreements.Signed,
				SignedOn: day(-700), RenewOn: day(20), RemindDays: "30", OrgIDs: []string{f.police, f.ngo}})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.svc.Create(ctx, f.coordinator.Actor, agreements.Input{Title: "Not yet due", Status: agreements.Signed,
				SignedOn: day(-10), RenewOn: day(200), RemindDays: "30", OrgIDs: []string{f.labour, f.ngo}}); err != nil {
				t.Fatal(err)
			}
			srv, err := smtptest.Start()
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { srv.Close() })
			r := notify.Reminders{
				Mailer:    notify.Mailer{Addr: srv.Addr(), From: "waymark@city.example"},
				PublicURL: "https://waymark.city.example", Catalog: f.env.App.Catalog,
				Address: func(ctx context.Context, userID string) (string, error) {
					p, err := f.env.App.Accounts.RevealProfile(ctx, accounts.System, userID)
					return p.Email, err
				},
			}
			n, err := f.svc.SendReminders(ctx, r)
			if err != nil || n != 1 {
				t.Fatalf("send reminders: %d, %v", n, err)
			}
			msgs := srv.Wait(1, 5*time.Second)
			if len(msgs) != 1 || len(msgs[0].To) != 1 || msgs[0].To[0] != "coord@example.org" {
				t.Fatalf("mails: %+v", msgs)
			}
			body := msgs[0].Data
			for _, want := range []string{"Memorandum police and NGO", "https://waymark.city.example/agreements/" + soon.ID} {
				if !strings.Contains(body, want) {
					t.Errorf("mail lacks %q:\n%s", want, body)
				}
			}
			if strings.Contains(body, "Not yet due") {
				t.Errorf("mail names an agreement not due:\n%s", body)
			}
			if n, err := f.svc.SendReminders(ctx, r); err != nil || n != 0 {
				t.Errorf("second run: %d, %v", n, err)
			}
			// A new renewal date is reminded anew.
			if _, err := f.svc.Update(ctx, f.coordinator.Actor, soon.ID, agreements.Input{Title: soon.Title, Status: agreements.Signed,
				SignedOn: soon.SignedOn, RenewOn: day(10), RemindDays: "30", OrgIDs: []string{f.police, f.ngo}}); err != nil {
				t.Fatal(err)
			}
			if n, err := f.svc.SendReminders(ctx, r); err != nil || n != 1 {
				t.Errorf("after the date moved: %d, %v", n, err)
			}
			if n, err := f.svc.SendReminders(ctx, notify.Reminders{}); err != nil || n != 0 {
				t.Errorf("without SMTP: %d, %v", n, err)
			}
		})
	}
}
