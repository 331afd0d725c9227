package intake_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/audit"
	"waymark.city/waymark/internal/intake"
	"waymark.city/waymark/internal/intake/intaketest"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

func TestMain(m *testing.M) { os.Exit(storagetest.Main(m)) }

// report is a valid submission; tests change what they need.
func report() intake.Submission {
	return intake.Submission{
		Details:   "Six men sleep in a container behind the car wash on Lindenstraße.",
		PlaceType: "car_wash",
		Area:      "North station",
		SeenOn:    "2026-01-10",
		TimeOfDay: "evening",
		People:    "many",
		AgeGroup:  "adults",
		Gender:    "male",
		Signs:     []string{"work.bad_housing", "core.documents_held"},
		Urgency:   intake.UrgencySoon,
		Contact:   "Signal only, evenings",
		Language:  "en",
	}
}

// scopeOf returns the own-organisation scope of actor, as Authorize does
// for a grant that reaches the actor's organisation.
func scopeOf(t *testing.T, actor access.Actor) access.Scope {
	t.Helper()
	s, err := access.Authorize(actor, access.ViewDashboard)
	if err != nil {
		t.Fatalf("authorize: %v", err)
	}
	return s
}

func fieldKeys(err error) []string {
	var keys []string
	for _, f := range apperr.As(err).Fields {
		keys = append(keys, f.Field+":"+f.Key)
	}
	slices.Sort(keys)
	return keys
}

func TestSubmitAndFollowUp(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		env := intaketest.New(t, db, intake.Config{})
		hotline := env.Org(t, "Hotline", "hotline")
		other := env.Org(t, "Other NGO", "ngo")
		operator := env.User(t, "operator", access.HotlineOperator, hotline)
		outsider := env.User(t, "outsider", access.CaseWorker, other)
		s := env.Service

		if org, err := s.ReceivingOrg(ctx); err != nil || org != hotline {
			t.Fatalf("ReceivingOrg = %q, %v; want the hotline", org, err)
		}
		rec, err := s.Submit(ctx, report(), intaketest.Work(s))
		if err != nil {
			t.Fatalf("Submit: %v", err)
		}
		if rec.Held || len(rec.Code) != 16 || strings.Trim(rec.Code, "0123456789") != "" {
			t.Fatalf("receipt = %+v, want a 16-digit code, not held", rec)
		}
		if got := intake.FormatCode(rec.Code); len(got) != 19 || got[4] != ' ' {
			t.Errorf("FormatCode = %q", got)
		}

		// The receiving organisation sees it in its queue; another does not.
		list, err := s.List(ctx, operator, scopeOf(t, operator), intake.ListFilter{})
		if err != nil || len(list) != 1 || list[0].ID != rec.ReportID || list[0].Urgency != intake.UrgencySoon || list[0].Signs != 2 || !list[0].Open {
			t.Fatalf("List = %+v, %v", list, err)
		}
		if list, _ := s.List(ctx, outsider, scopeOf(t, outsider), intake.ListFilter{}); len(list) != 0 {
			t.Errorf("another organisation sees %d reports", len(list))
		}
		if _, err := s.Get(ctx, outsider, scopeOf(t, outsider), rec.ReportID); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("Get by another organisation = %v, want NotFound", err)
		}

		// The code opens the thread, typed with spaces or dashes too.
		for _, typed := range []string{rec.Code, intake.FormatCode(rec.Code), strings.ReplaceAll(intake.FormatCode(rec.Code), " ", "-")} {
			th, err := s.OpenThread(ctx, "client-a", typed)
			if err != nil || th.ReportID != rec.ReportID || len(th.Messages) != 0 {
				t.Fatalf("OpenThread(%q) = %+v, %v", typed, th, err)
			}
		}
		// Only the right code does.
		wrong := []byte(rec.Code)
		wrong[15] = '0' + (wrong[15]-'0'+1)%10
		for _, bad := range []string{string(wrong), "", "1234", rec.Code + "1", "١٢٣٤٥٦٧٨٩٠١٢٣٤٥٦"} {
			if _, err := s.OpenThread(ctx, "client-b", bad); !apperr.Is(err, apperr.NotFound) || apperr.As(err).Key != "public.error.code_unknown" {
				t.Errorf("OpenThread(%q) = %v, want NotFound", bad, err)
			}
		}

		// Staff ask, the reporter answers; both are in the thread.
		if err := s.AskReporter(ctx, operator, scopeOf(t, operator), rec.ReportID, "Which entrance do they use?"); err != nil {
			t.Fatalf("AskReporter: %v", err)
		}
		if err := s.AskReporter(ctx, outsider, scopeOf(t, outsider), rec.ReportID, "Hello?"); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("AskReporter outside scope = %v, want NotFound", err)
		}
		if err := s.AskReporter(ctx, operator, scopeOf(t, operator), rec.ReportID, "  "); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("empty question = %v", err)
		}
		th, err := s.OpenThread(ctx, "client-a", rec.Code)
		if err != nil || len(th.Messages) != 1 || th.Open != 1 || th.Messages[0].Author != intake.AuthorStaff || th.Messages[0].Body != "Which entrance do they use?" {
			t.Fatalf("thread after question = %+v, %v", th, err)
		}
		if list, _ := s.List(ctx, operator, scopeOf(t, operator), intake.ListFilter{}); list[0].Open {
			t.Error("after a staff question the report still waits for staff")
		}
		if _, err := s.Reply(ctx, "client-a", string(wrong), "The back door"); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("Reply with a wrong code = %v", err)
		}
		th, err = s.Reply(ctx, "client-a", rec.Code, "The back door\r\n, at night.")
		if err != nil || len(th.Messages) != 2 || th.Open != 0 || th.Messages[1].Author != intake.AuthorReporter || th.Messages[1].Body != "The back door\n, at night." {
			t.Fatalf("Reply = %+v, %v", th, err)
		}

		// Get decrypts everything and is audited.
		r, err := s.Get(ctx, operator, scopeOf(t, operator), rec.ReportID)
		if err != nil {
			t.Fatalf("Get: %v", err)
		}
		want := report()
		if r.Details != want.Details || r.Area != want.Area || r.Contact != want.Contact || r.PlaceType != "car_wash" ||
			!slices.Equal(r.Signs, want.Signs) || r.Status != intake.StatusNew || r.OrgID != hotline || len(r.Messages) != 2 ||
			r.Messages[0].AuthorUserID != operator.UserID || r.CreatedAt.Second() != 0 {
			t.Errorf("Get = %+v", r)
		}
		entries, _, err := env.Audit.List(ctx, db, access.SystemScope(), audit.Filter{SubjectID: rec.ReportID, Limit: audit.MaxLimit})
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for i := len(entries) - 1; i >= 0; i-- {
			actions = append(actions, entries[i].Action+"/"+entries[i].Outcome)
		}
		if wantActions := []string{"reports.submit/done", "reports.ask/allowed", "reports.reply/done", "reports.view/allowed"}; !slices.Equal(actions, wantActions) {
			t.Errorf("audit = %v, want %v", actions, wantActions)
		}
	})
}

func TestSubmitValidation(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	env := intaketest.New(t, db, intake.Config{})
	ctx := context.Background()
	for _, c := range []struct {
		name string
		edit func(*intake.Submission)
		want []string
	}{
		{"nothing seen", func(s *intake.Submission) { s.Details = " \n " }, []string{"details:public.error.details_required"}},
		{"no urgency", func(s *intake.Submission) { s.Urgency = "" }, []string{"urgency:public.error.urgency_required"}},
		{"unknown place", func(s *intake.Submission) { s.PlaceType = "moon" }, []string{"place_type:public.error.choice"}},
		{"unknown sign", func(s *intake.Submission) { s.Signs = []string{"gen.nonsense"} }, []string{"signs:public.error.choice"}},
		{"future date", func(s *intake.Submission) { s.SeenOn = time.Now().AddDate(0, 0, 3).Format(time.DateOnly) }, []string{"seen_on:public.error.date"}},
		{"bad date", func(s *intake.Submission) { s.SeenOn = "31.12.2025" }, []string{"seen_on:public.error.date"}},
		{"long area", func(s *intake.Submission) { s.Area = strings.Repeat("x", intake.MaxArea+1) }, []string{"area:public.error.too_long"}},
		{"long contact", func(s *intake.Submission) { s.Contact = strings.Repeat("ü", intake.MaxContact+1) }, []string{"contact:public.error.too_long"}},
		{"bad gender", func(s *intake.Submission) { s.Gender = "x" }, []string{"gender:public.error.choice"}},
		{"many files", func(s *intake.Submission) { s.Attachments = make([][]byte, 4) }, []string{"files:public.error.too_many_files"}},
		{"text file", func(s *intake.Submission) { s.Attachments = [][]byte{[]byte("hello, this is text")} }, []string{"files:public.error.file_type"}},
		{"empty file", func(s *intake.Submission) { s.Attachments = [][]byte{{}} }, []string{"files:public.error.file_type"}},
		{"fake png", func(s *intake.Submission) { s.Attachments = [][]byte{append([]byte("\x89PNG\r\n\x1a\n"), 1, 2, 3)} }, []string{"files:public.error.file_damaged"}},
		{"big file", func(s *intake.Submission) {
			s.Attachments = [][]byte{append([]byte("%PDF-1.4\n"), make([]byte, 5<<20)...)}
		}, []string{"files:public.error.file_too_large"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := report()
			c.edit(&in)
			_, err := env.Service.Submit(ctx, in, intake.Work{})
			if got := fieldKeys(err); !slices.Equal(got, c.want) {
				t.Errorf("errors = %v (%v), want %v", got, err, c.want)
			}
		})
	}
	// Optional answers may be left out.
	in := intake.Submission{Details: "Something odd", Urgency: intake.UrgencyNoRush}
	if _, err := env.Service.Submit(ctx, in, intake.Work{}); err != nil {
		t.Errorf("minimal report: %v", err)
	}
}

func TestProofOfWork(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	env := intaketest.New(t, db, intake.Config{})
	ctx := context.Background()
	s := env.Service
	challenge, difficulty := s.Challenge()
	nonce := intaketest.Solve(challenge, difficulty)
	tampered := []byte(challenge)
	tampered[len(tampered)-1] ^= 1
	lazy := "0"
	for intake.LeadingZeroBits(challenge, lazy) >= difficulty {
		lazy += "0"
	}
	for _, c := range []struct {
		name string
		work intake.Work
		held bool
	}{
		{"no script", intake.Work{Challenge: challenge}, true},
		{"not enough work", intake.Work{Challenge: challenge, Nonce: lazy}, true},
		{"forged challenge", intake.Work{Challenge: string(tampered), Nonce: nonce}, true},
		{"valid", intake.Work{Challenge: challenge, Nonce: nonce}, false},
		{"replayed", intake.Work{Challenge: challenge, Nonce: nonce}, true},
	} {
		rec, err := s.Submit(ctx, report(), c.work)
		if err != nil || rec.Held != c.held {
			t.Errorf("%s: held = %v, %v; want %v", c.name, rec.Held, err, c.held)
		}
	}
	// A challenge expires.
	old := intaketest.Work(s)
	env.Clock.Advance(intake.DefaultConfig.ChallengeTTL + time.Minute)
	if rec, err := s.Submit(ctx, report(), old); err != nil || !rec.Held {
		t.Errorf("expired challenge: held = %v, %v", rec.Held, err)
	}
	// Held reports form their own queue.
	actor := access.Actor{Role: access.Administrator}
	held, err := s.List(ctx, actor, access.SystemScope(), intake.ListFilter{Status: intake.StatusHeld})
	if err != nil || len(held) != 5 {
		t.Errorf("held queue = %d, %v; want 5", len(held), err)
	}
	// Sweep removes the spent challenge once expired.
	if n, err := s.Sweep(ctx, env.Clock.Now()); err != nil || n == 0 {
		t.Errorf("Sweep = %d, %v", n, err)
	}
}

func TestHeldQueueCap(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	env := intaketest.New(t, db, intake.Config{MaxHeld: 2})
	ctx := context.Background()
	for i := range 2 {
		if _, err := env.Service.Submit(ctx, report(), intake.Work{}); err != nil {
			t.Fatalf("held report %d: %v", i, err)
		}
	}
	if _, err := env.Service.Submit(ctx, report(), intake.Work{}); !apperr.Is(err, apperr.TooMany) {
		t.Errorf("third held report = %v, want TooMany", err)
	}
	if _, err := env.Service.Submit(ctx, report(), intaketest.Work(env.Service)); err != nil {
		t.Errorf("a report with proof of work is still taken: %v", err)
	}
}

func TestQueueOrder(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		env := intaketest.New(t, db, intake.Config{})
		ctx := context.Background()
		var ids []string
		for _, u := range []string{intake.UrgencyNoRush, intake.UrgencyDanger, intake.UrgencySoon, intake.UrgencyChild, intake.UrgencyDanger} {
			in := report()
			in.Urgency = u
			rec, err := env.Service.Submit(ctx, in, intaketest.Work(env.Service))
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, rec.ReportID)
			env.Clock.Advance(2 * time.Minute)
		}
		list, err := env.Service.List(ctx, access.Actor{Role: access.Administrator}, access.SystemScope(), intake.ListFilter{})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range list {
			got = append(got, r.ID)
		}
		if want := []string{ids[1], ids[4], ids[3], ids[2], ids[0]}; !slices.Equal(got, want) {
			t.Errorf("order = %v, want %v", got, want)
		}
		if list[0].Age < 8*time.Minute {
			t.Errorf("age of the oldest danger report = %v", list[0].Age)
		}
	})
}

// TestEncryptedAtRest sends a report with text, contact details and an
// attachment, and looks for any of them in the SQLite files.
func TestEncryptedAtRest(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	db, err := storage.OpenDataDir(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	env := intaketest.New(t, db, intake.Config{})
	in := report()
	in.Details = "MARKER-DETAILS the man in the blue van"
	in.Area = "MARKER-AREA Hafenviertel"
	in.Contact = "MARKER-CONTACT +49 151 000000"
	pdf := []byte("%PDF-1.4\n% MARKER-ATTACHMENT a scanned contract\n%%EOF\n")
	in.Attachments = [][]byte{pdf}
	rec, err := env.Service.Submit(ctx, in, intaketest.Work(env.Service))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.Service.Reply(ctx, "c", rec.Code, "MARKER-REPLY it was Tuesday"); err != nil {
		t.Fatal(err)
	}
	if err := env.Service.AskReporter(ctx, access.Actor{Role: access.Administrator}, access.SystemScope(), rec.ReportID, "MARKER-QUESTION which van?"); err != nil {
		t.Fatal(err)
	}
	a, err := env.Service.GetAttachment(ctx, access.Actor{Role: access.Administrator}, access.SystemScope(), rec.ReportID, 1)
	if err != nil || !bytes.Equal(a.Data, pdf) || a.MediaType != intake.TypePDF {
		t.Fatalf("GetAttachment = %+v, %v", a, err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(files) == 0 {
		t.Fatal("no database files")
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, marker := range []string{"MARKER-", rec.Code, "Hafenviertel", "blue van"} {
			if bytes.Contains(data, []byte(marker)) {
				t.Errorf("%s contains %q in clear", filepath.Base(f), marker)
			}
		}
	}
}

func TestAttachmentsCleaned(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	env := intaketest.New(t, db, intake.Config{})
	ctx := context.Background()
	admin := access.Actor{Role: access.Administrator}

	img := image.NewRGBA(image.Rect(0, 0, 40, 20))
	for x := range 40 {
		img.Set(x, 5, color.RGBA{R: 255, A: 255})
	}
	var pngBuf bytes.Buffer
	if err := png.Encode(&pngBuf, img); err != nil {
		t.Fatal(err)
	}
	pngData := withPNGText(pngBuf.Bytes(), "Author", "SECRET-NAME")
	var jpgBuf bytes.Buffer
	if err := jpeg.Encode(&jpgBuf, img, nil); err != nil {
		t.Fatal(err)
	}
	jpgData := withEXIF(jpgBuf.Bytes(), 6, "SECRET-CAMERA")

	in := report()
	in.Attachments = [][]byte{pngData, jpgData}
	rec, err := env.Service.Submit(ctx, in, intaketest.Work(env.Service))
	if err != nil {
		t.Fatalf("Submit: %v", err)
	}
	for n, want := range map[int]struct {
		mediaType string
		w, h      int
	}{1: {intake.TypePNG, 40, 20}, 2: {intake.TypeJPEG, 20, 40}} {
		a, err := env.Service.GetAttachment(ctx, admin, access.SystemScope(), rec.ReportID, n)
		if err != nil {
			t.Fatalf("attachment %d: %v", n, err)
		}
		if a.MediaType != want.mediaType || bytes.Contains(a.Data, []byte("SECRET-")) || bytes.Contains(a.Data, []byte("Exif")) {
			t.Errorf("attachment %d: type %s, metadata left: %v", n, a.MediaType, bytes.Contains(a.Data, []byte("SECRET-")))
		}
		cfg, _, err := image.DecodeConfig(bytes.NewReader(a.Data))
		if err != nil || cfg.Width != want.w || cfg.Height != want.h {
			t.Errorf("attachment %d: %dx%d, %v; want %dx%d (EXIF orientation applied)", n, cfg.Width, cfg.Height, err, want.w, want.h)
		}
	}
	// An image claiming enormous dimensions is refused before decoding.
	huge := pngHeader(100000, 100000)
	in.Attachments = [][]byte{huge}
	if _, err := env.Service.Submit(ctx, in, intake.Work{}); !slices.Equal(fieldKeys(err), []string{"files:public.error.image_too_large"}) {
		t.Errorf("huge image: %v", err)
	}
}

func TestAttachmentQuota(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		env := intaketest.New(t, db, intake.Config{AttachmentQuota: 1000})
		ctx := context.Background()
		pdf := func(n int) []byte { return append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("x"), n)...) }
		in := report()
		in.Attachments = [][]byte{pdf(600)}
		if _, err := env.Service.Submit(ctx, in, intaketest.Work(env.Service)); err != nil {
			t.Fatalf("first attachment: %v", err)
		}
		in.Attachments = [][]byte{pdf(600)}
		_, err := env.Service.Submit(ctx, in, intaketest.Work(env.Service))
		if !slices.Equal(fieldKeys(err), []string{"files:public.error.storage_full"}) {
			t.Errorf("over quota: %v", err)
		}
		in.Attachments = nil
		if _, err := env.Service.Submit(ctx, in, intaketest.Work(env.Service)); err != nil {
			t.Errorf("without attachments the report is still taken: %v", err)
		}
		used, quota, err := env.Service.AttachmentUsage(ctx)
		if err != nil || used != 609 || quota != 1000 {
			t.Errorf("usage = %d/%d, %v", used, quota, err)
		}
	})
}

// TestRateLimitShared: two services over one database, as two processes,
// share the counts.
func TestRateLimitShared(t *testing.T) {
	storagetest.Each(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		cfg := intake.Config{SubmitsPerHour: 3, CodeTriesPerHour: 4}
		env := intaketest.New(t, db, cfg)
		a, b := env.Service, env.NewService(cfg)
		client := a.ClientKey("203.0.113.7", env.Clock.Now())
		if client != b.ClientKey("203.0.113.7", env.Clock.Now()) || client == a.ClientKey("203.0.113.8", env.Clock.Now()) {
			t.Fatal("client keys differ between services or match for different addresses")
		}
		if strings.Contains(client, "203.0.113") || client == a.ClientKey("203.0.113.7", env.Clock.Now().Add(24*time.Hour)) {
			t.Error("the client key shows the address or does not change daily")
		}
		for i, s := range []*intake.Service{a, b, a} {
			if err := s.AdmitSubmission(ctx, client, report(), intake.Work{}); err != nil {
				t.Fatalf("submission %d: %v", i+1, err)
			}
		}
		if err := b.AdmitSubmission(ctx, client, report(), intake.Work{}); !apperr.Is(err, apperr.TooMany) {
			t.Errorf("fourth submission over two services = %v, want TooMany", err)
		}
		if err := b.AdmitSubmission(ctx, "another-client", report(), intake.Work{}); err != nil {
			t.Errorf("another client: %v", err)
		}
		env.Clock.Advance(time.Hour)
		if err := b.AdmitSubmission(ctx, client, report(), intake.Work{}); err != nil {
			t.Errorf("next hour: %v", err)
		}

		// Code guessing: four tries per client and hour, shared, then refused
		// even with the right code.
		rec, err := a.Submit(ctx, report(), intaketest.Work(a))
		if err != nil {
			t.Fatal(err)
		}
		for i, s := range []*intake.Service{a, b, a, b} {
			if _, err := s.OpenThread(ctx, client, "0000000000000000"); !apperr.Is(err, apperr.NotFound) {
				t.Fatalf("guess %d = %v", i+1, err)
			}
		}
		if _, err := a.OpenThread(ctx, client, rec.Code); !apperr.Is(err, apperr.TooMany) {
			t.Errorf("fifth try = %v, want TooMany", err)
		}
		if _, err := b.OpenThread(ctx, "other", rec.Code); err != nil {
			t.Errorf("another client with the right code: %v", err)
		}
	})
}

func TestGlobalCodeLimit(t *testing.T) {
	db := storagetest.Open(t, storage.SQLite)
	env := intaketest.New(t, db, intake.Config{CodeTriesPerHourAll: 3})
	ctx := context.Background()
	for i := range 3 {
		if _, err := env.Service.OpenThread(ctx, "client-"+string(rune('a'+i)), "1111222233334444"); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("try %d: %v", i, err)
		}
	}
	if _, err := env.Service.OpenThread(ctx, "client-z", "1111222233334444"); !apperr.Is(err, apperr.TooMany) {
		t.Errorf("over the global limit = %v, want TooMany", err)
	}
}

func TestNormaliseCode(t *testing.T) {
	for in, want := range map[string]string{
		"1234567890123456":      "1234567890123456",
		"1234 5678 9012 3456":   "1234567890123456",
		" 1234-5678-9012-3456 ": "1234567890123456",
		"1234.5678.9012.3456":   "1234567890123456",
		"123456789012345":       "",
		"12345678901234567":     "",
		"1234 5678 9012 345a":   "",
		"١٢٣٤٥٦٧٨٩٠١٢٣٤٥٦":      "",
	} {
		if got := intake.NormaliseCode(in); got != want {
			t.Errorf("NormaliseCode(%q) = %q, want %q", in, got, want)
		}
	}
}

// withPNGText inserts a tEXt chunk after the IHDR chunk.
func withPNGText(data []byte, key, value string) []byte {
	body := append([]byte(key+"\x00"), value...)
	chunk := make([]byte, 8, 12+len(body))
	binary.BigEndian.PutUint32(chunk, uint32(len(body)))
	copy(chunk[4:], "tEXt")
	chunk = append(chunk, body...)
	chunk = binary.BigEndian.AppendUint32(chunk, crc(chunk[4:]))
	ihdrEnd := 8 + 8 + 13 + 4
	out := append([]byte{}, data[:ihdrEnd]...)
	out = append(out, chunk...)
	return append(out, data[ihdrEnd:]...)
}

func crc(b []byte) uint32 {
	// PNG's CRC is IEEE CRC-32.
	var table [256]uint32
	for i := range table {
		c := uint32(i)
		for range 8 {
			if c&1 != 0 {
				c = 0xEDB88320 ^ (c >> 1)
			} else {
				c >>= 1
			}
		}
		table[i] = c
	}
	c := ^uint32(0)
	for _, x := range b {
		c = table[byte(c)^x] ^ (c >> 8)
	}
	return ^c
}

// withEXIF inserts an APP1 Exif segment with an orientation tag and an
// ImageDescription-like text after the JPEG's SOI marker.
func withEXIF(data []byte, orientation uint16, text string) []byte {
	tiff := []byte("MM\x00\x2a\x00\x00\x00\x08")
	tiff = binary.BigEndian.AppendUint16(tiff, 1)           // one entry
	tiff = binary.BigEndian.AppendUint16(tiff, 0x0112)      // orientation
	tiff = binary.BigEndian.AppendUint16(tiff, 3)           // SHORT
	tiff = binary.BigEndian.AppendUint32(tiff, 1)           // count
	tiff = binary.BigEndian.AppendUint16(tiff, orientation) // value
	tiff = append(tiff, 0, 0, 0, 0, 0, 0)                   // padding, next IFD = 0
	tiff = append(tiff, text...)
	seg := append([]byte("Exif\x00\x00"), tiff...)
	out := []byte{0xFF, 0xD8, 0xFF, 0xE1}
	out = binary.BigEndian.AppendUint16(out, uint16(len(seg)+2))
	out = append(out, seg...)
	return append(out, data[2:]...)
}

// pngHeader is the start of a PNG claiming w×h pixels.
func pngHeader(w, h uint32) []byte {
	ihdr := []byte("IHDR")
	ihdr = binary.BigEndian.AppendUint32(ihdr, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 8, 6, 0, 0, 0)
	out := []byte("\x89PNG\r\n\x1a\n")
	out = binary.BigEndian.AppendUint32(out, 13)
	out = append(out, ihdr...)
	out = binary.BigEndian.AppendUint32(out, crc(ihdr))
	return append(out, make([]byte, 64)...)
}

// The per-minute total turns a burst from many addresses away before the
// hourly allowance is spent in one go.
func TestSubmissionsPerMinuteAcrossClients(t *testing.T) {
	env := intaketest.New(t, storagetest.Open(t, storage.SQLite), intake.Config{SubmitsPerMinuteAll: 3})
	ctx := context.Background()
	for i := range 3 {
		if err := env.Service.AdmitSubmission(ctx, fmt.Sprint("client-", i), report(), intake.Work{}); err != nil {
			t.Fatalf("submission %d: %v", i, err)
		}
	}
	if err := env.Service.AdmitSubmission(ctx, "client-9", report(), intake.Work{}); !apperr.Is(err, apperr.TooMany) {
		t.Fatalf("fourth submission within the minute from a new client: %v; want too_many", err)
	}
	env.Clock.Advance(time.Minute)
	if err := env.Service.AdmitSubmission(ctx, "client-9", report(), intake.Work{}); err != nil {
		t.Fatalf("next minute: %v", err)
	}
}
