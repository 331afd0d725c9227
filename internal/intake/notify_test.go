package intake_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"waymark.city/waymark/internal/intake"
	"waymark.city/waymark/internal/intake/intaketest"
	"waymark.city/waymark/internal/notify"
	"waymark.city/waymark/internal/notify/smtptest"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

func TestUrgentReportsMailOnCall(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		srv, err := smtptest.Start()
		if err != nil {
			t.Fatal(err)
		}
		defer srv.Close()
		env := intaketest.New(t, db, intake.Config{})
		env.Org(t, "Hotline", "hotline")
		n := notify.New(notify.Deps{DB: db, Now: env.Clock.Now, Config: notify.Config{
			Mailer:     notify.Mailer{Addr: srv.Addr(), From: "waymark@city.example"},
			Recipients: []string{"duty@hotline.example"}, PublicURL: "https://waymark.city.example",
			Zone: time.FixedZone("CET", 3600)}})
		s := intake.New(intake.Deps{DB: db, Vault: env.Vault, Audit: env.Audit, Hasher: env.Hasher, Catalogue: env.Catalogue,
			Config: intake.Config{Difficulty: 8, MinDifficulty: 8}, Now: env.Clock.Now, Notifier: n})

		tests := []struct {
			urgency string
			work    bool
			mailed  bool
		}{
			{intake.UrgencyDanger, true, true},
			{intake.UrgencyChild, false, true}, // held: still mailed, marked as such
			{intake.UrgencySoon, true, false},
			{intake.UrgencyNoRush, true, false},
		}
		var markers []string
		for i, tt := range tests {
			in := report()
			in.Urgency = tt.urgency
			marker := "MARKER" + string(rune('A'+i))
			in.Details = marker + "-details Ana Petrova, 14, taken from the bus station"
			in.Area = marker + "-area Hafenviertel"
			in.Contact = marker + "-contact +49 151 000000"
			markers = append(markers, marker, "Petrova", "Hafenviertel", "+49")
			w := intake.Work{}
			if tt.work {
				w = intaketest.Work(s)
			}
			if _, err := s.Submit(ctx, in, w); err != nil {
				t.Fatalf("submit %s: %v", tt.urgency, err)
			}
		}
		// A refused submission leaves no notification behind.
		bad := report()
		bad.Urgency, bad.Details = intake.UrgencyDanger, ""
		if _, err := s.Submit(ctx, bad, intaketest.Work(s)); err == nil {
			t.Fatal("empty report accepted")
		}
		if got := count(t, db, `SELECT count(*) FROM notify_outbox`); got != 2 {
			t.Fatalf("%d notifications queued, want 2", got)
		}

		if sent, err := n.Send(ctx); err != nil || sent != 2 {
			t.Fatalf("Send = %d, %v; want 2", sent, err)
		}
		msgs := srv.Messages()
		if len(msgs) != 1 {
			t.Fatalf("%d mails, want one for both", len(msgs))
		}
		data := msgs[0].Data
		at := env.Clock.Now().In(time.FixedZone("CET", 3600)).Format("2006-01-02 15:04")
		for _, want := range []string{"2 urgent reports arrived", at + " CET, urgency: someone is in immediate danger\r\n",
			"urgency: a child is involved (sent without the form's anti-abuse check; may be spam)",
			"Open Waymark: https://waymark.city.example/reports"} {
			if !strings.Contains(data, want) {
				t.Errorf("mail lacks %q:\n%s", want, data)
			}
		}
		for _, leak := range markers {
			if strings.Contains(data, leak) {
				t.Errorf("mail holds %q:\n%s", leak, data)
			}
		}
		var ids []string
		if err := db.Read(ctx, func(tx *storage.Tx) error {
			rows, err := tx.QueryContext(ctx, `SELECT id FROM reports`)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var id string
				if err := rows.Scan(&id); err != nil {
					return err
				}
				ids = append(ids, id)
			}
			return rows.Err()
		}); err != nil {
			t.Fatal(err)
		}
		for _, id := range ids {
			if strings.Contains(data, id) {
				t.Errorf("mail names report %s", id)
			}
		}
	})
}

func TestNotifiesOnCall(t *testing.T) {
	for _, tt := range []struct {
		urgency string
		want    bool
	}{
		{intake.UrgencyDanger, true}, {intake.UrgencyChild, true}, {"missing_child", true},
		{intake.UrgencySoon, false}, {intake.UrgencyNoRush, false}, {"", false},
	} {
		if got := intake.NotifiesOnCall(tt.urgency); got != tt.want {
			t.Errorf("NotifiesOnCall(%q) = %v", tt.urgency, got)
		}
	}
}
