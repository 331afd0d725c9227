package assistance_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/assistance"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

func TestProviderStandards(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			ctx := context.Background()
			p := f.provider(t, "Women's House", f.shelterOrg, 4)
			today := time.Now().UTC()
			day := func(d int) string { return today.AddDate(0, 0, d).Format(time.DateOnly) }
			if _, err := f.svc.AddStandard(ctx, f.coordinator.Actor, p.ID, assistance.StandardInput{
				Name: "Shelter quality standard", Issuer: "Ministry of Social Affairs", ValidUntil: day(30)}); err != nil {
				t.Fatalf("add standard: %v", err)
			}
			if _, err := f.svc.AddStandard(ctx, f.coordinator.Actor, p.ID, assistance.StandardInput{
				Name: "ISO 9001", Issuer: "Certification body", ValidUntil: ""}); err != nil {
				t.Fatalf("add standard without end: %v", err)
			}
			for _, tc := range []struct {
				name  string
				in    assistance.StandardInput
				field string
			}{
				{"no name", assistance.StandardInput{Issuer: "x"}, "standard_name"},
				{"no issuer", assistance.StandardInput{Name: "x"}, "standard_issuer"},
				{"bad date", assistance.StandardInput{Name: "x", Issuer: "y", ValidUntil: "31.12.2030"}, "standard_valid_until"},
				{"expired", assistance.StandardInput{Name: "x", Issuer: "y", ValidUntil: day(-1)}, "standard_valid_until"},
			} {
				_, err := f.svc.AddStandard(ctx, f.coordinator.Actor, p.ID, tc.in)
				wantCode(t, tc.name, err, apperr.Invalid, "")
				if fe := apperr.As(err).Fields; len(fe) != 1 || fe[0].Field != tc.field {
					t.Errorf("%s: fields %+v, want %s", tc.name, fe, tc.field)
				}
			}
			_, err := f.svc.AddStandard(ctx, f.worker.Actor, p.ID, assistance.StandardInput{Name: "x", Issuer: "y"})
			wantCode(t, "case worker", err, apperr.Forbidden, "")
			q, err := f.svc.ProviderQuality(ctx, f.otherWorker.Actor, p.ID)
			if err != nil {
				t.Fatalf("quality: %v", err)
			}
			if len(q.Standards) != 2 || q.Standards[1].Name != "Shelter quality standard" {
				t.Fatalf("standards = %+v", q.Standards)
			}
			if st := q.Standards[1]; !st.ExpiresSoon(today) || st.Expired(today) || q.Standards[0].ExpiresSoon(today) {
				t.Errorf("expiry: %+v", q.Standards)
			}
			if err := f.svc.RemoveStandard(ctx, f.coordinator.Actor, p.ID, q.Standards[0].ID); err != nil {
				t.Fatalf("remove standard: %v", err)
			}
			if n := rowCount(t, f.env, "provider_standards", ""); n != 1 {
				t.Errorf("%d standards after removing one of 2", n)
			}
		})
	}
}

func TestReferralFeedback(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			ctx := context.Background()
			c := f.openCase(t, false)
			p := f.provider(t, "Women's House", f.shelterOrg, 4)
			f.consent(t, c, f.shelterOrg)
			r, err := f.svc.Refer(ctx, f.worker.Actor, c.ID, assistance.ReferralInput{ProviderID: p.ID, Services: []string{"psychological"}})
			if err != nil {
				t.Fatalf("refer: %v", err)
			}
			good := assistance.FeedbackInput{Delivered: "partial", Timeliness: "late", Satisfaction: "satisfied",
				Comment: "She liked the counsellor who spoke Romanian"}
			err = f.svc.RecordFeedback(ctx, f.worker.Actor, c.ID, r.ID, good)
			wantCode(t, "pending referral", err, apperr.Conflict, "error.referral_feedback.not_ended")
			if _, err := f.svc.AnswerReferral(ctx, f.shelterWorker.Actor, c.ID, r.ID, assistance.Answer{Accept: true}); err != nil {
				t.Fatalf("accept: %v", err)
			}
			err = f.svc.RecordFeedback(ctx, f.worker.Actor, c.ID, r.ID, good)
			wantCode(t, "running referral", err, apperr.Conflict, "error.referral_feedback.not_ended")
			if _, err := f.svc.EndReferral(ctx, f.shelterWorker.Actor, c.ID, r.ID, "completed"); err != nil {
				t.Fatalf("end: %v", err)
			}
			for _, tc := range []struct {
				name string
				in   assistance.FeedbackInput
			}{
				{"unknown delivery", assistance.FeedbackInput{Delivered: "mostly", Timeliness: "late", Satisfaction: "satisfied"}},
				{"unknown timeliness", assistance.FeedbackInput{Delivered: "full", Timeliness: "soon", Satisfaction: "satisfied"}},
				{"unknown satisfaction", assistance.FeedbackInput{Delivered: "full", Timeliness: "late", Satisfaction: "happy"}},
				{"long comment", assistance.FeedbackInput{Delivered: "full", Timeliness: "late", Satisfaction: "satisfied",
					Comment: string(bytes.Repeat([]byte("x"), assistance.MaxComment+1))}},
			} {
				wantCode(t, tc.name, f.svc.RecordFeedback(ctx, f.worker.Actor, c.ID, r.ID, tc.in), apperr.Invalid, "")
			}
			// The provider's own organisation and an unrelated one may not
			// record the referring worker's feedback.
			wantCode(t, "provider", f.svc.RecordFeedback(ctx, f.shelterWorker.Actor, c.ID, r.ID, good), apperr.NotFound, "")
			wantCode(t, "other organisation", f.svc.RecordFeedback(ctx, f.otherWorker.Actor, c.ID, r.ID, good), apperr.NotFound, "")
			if n := rowCount(t, f.env, "service_referral_feedback", c.ID); n != 0 {
				t.Fatalf("refused feedback stored %d rows", n)
			}
			if err := f.svc.RecordFeedback(ctx, f.worker.Actor, c.ID, r.ID, good); err != nil {
				t.Fatalf("feedback: %v", err)
			}
			err = f.svc.RecordFeedback(ctx, f.worker.Actor, c.ID, r.ID, good)
			wantCode(t, "second feedback", err, apperr.Conflict, "error.referral_feedback.recorded")

			plan, err := f.svc.Plan(ctx, f.worker.Actor, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if fb := plan.Feedback[r.ID]; fb == nil || fb.Comment != good.Comment || fb.Delivered != "partial" {
				t.Fatalf("feedback on the plan = %+v", plan.Feedback)
			}
			err = f.env.App.DB.Read(ctx, func(tx *storage.Tx) error {
				var b []byte
				if err := tx.QueryRowContext(ctx, `SELECT comment FROM service_referral_feedback WHERE referral_id = $1`, r.ID).Scan(&b); err != nil {
					return err
				}
				if bytes.Contains(b, []byte("counsellor")) {
					t.Error("the feedback comment is stored in the clear")
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			q, err := f.svc.ProviderQuality(ctx, f.otherWorker.Actor, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			fc := q.Feedback
			if fc.Total != 1 || fc.Delivered[1] != (assistance.Count{Code: "partial", N: 1}) || fc.Timeliness[1].N != 1 || fc.Satisfaction[0].N != 1 {
				t.Errorf("feedback counts = %+v", fc)
			}
		})
	}
}

func TestGoalsAndAgreement(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			ctx := context.Background()
			c := f.openCase(t, false)
			goals := "Find work as a cook and bring my son here"
			if err := f.svc.SaveGoals(ctx, f.worker.Actor, c.ID, goals); err != nil {
				t.Fatalf("goals: %v", err)
			}
			today := time.Now().UTC().Format(time.DateOnly)
			for _, tc := range []struct {
				name  string
				in    assistance.AgreementInput
				field string
			}{
				{"unknown answer", assistance.AgreementInput{Agreement: "maybe", AgreedOn: today, Language: "ro"}, "agreement"},
				{"no day", assistance.AgreementInput{Agreement: "agreed", Language: "ro"}, "agreed_on"},
				{"future day", assistance.AgreementInput{Agreement: "agreed", AgreedOn: "2999-01-01", Language: "ro"}, "agreed_on"},
				{"bad language", assistance.AgreementInput{Agreement: "agreed", AgreedOn: today, Language: "Romanian"}, "agreement_language"},
			} {
				err := f.svc.RecordAgreement(ctx, f.worker.Actor, c.ID, tc.in)
				wantCode(t, tc.name, err, apperr.Invalid, "")
				if fe := apperr.As(err).Fields; len(fe) != 1 || fe[0].Field != tc.field {
					t.Errorf("%s: fields %+v", tc.name, fe)
				}
			}
			wantCode(t, "other organisation", f.svc.RecordAgreement(ctx, f.otherWorker.Actor, c.ID,
				assistance.AgreementInput{Agreement: "agreed", AgreedOn: today, Language: "ro"}), apperr.NotFound, "")
			if n := rowCount(t, f.env, "plan_agreements", c.ID); n != 0 {
				t.Fatalf("refused agreements stored %d rows", n)
			}
			if err := f.svc.RecordAgreement(ctx, f.worker.Actor, c.ID, assistance.AgreementInput{
				Agreement: "partly", AgreedOn: today, Language: "RO", Interpreter: true}); err != nil {
				t.Fatalf("agreement: %v", err)
			}
			p, err := f.svc.Plan(ctx, f.worker.Actor, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if p.Goals != goals || p.Agreement == nil || p.Agreement.Agreement != "partly" || p.Agreement.Language != "ro" ||
				!p.Agreement.Interpreter || p.Agreement.RecordedBy != "worker" || p.ChangedSinceAgreement {
				t.Fatalf("plan goals %q agreement %+v changed %v", p.Goals, p.Agreement, p.ChangedSinceAgreement)
			}
			if _, err := f.svc.AddActivity(ctx, f.worker.Actor, c.ID, assistance.ActivityInput{Type: "job_coaching", ResponsibleOrg: f.ngo}); err != nil {
				t.Fatal(err)
			}
			if p, _ = f.svc.Plan(ctx, f.worker.Actor, c.ID); !p.ChangedSinceAgreement {
				t.Error("a plan changed after the agreement does not say so")
			}
			err = f.env.App.DB.Read(ctx, func(tx *storage.Tx) error {
				var b []byte
				if err := tx.QueryRowContext(ctx, `SELECT goals FROM plan_goals WHERE case_id = $1`, c.ID).Scan(&b); err != nil {
					return err
				}
				if bytes.Contains(b, []byte("cook")) {
					t.Error("the goals are stored in the clear")
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}
