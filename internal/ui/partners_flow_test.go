package ui_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/agreements"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/storage/storagetest"
)

// agreementPDF is a minimal document recognised as a PDF by its content.
const agreementPDF = "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

func dayFromToday(offset int) string {
	return time.Now().UTC().AddDate(0, 0, offset).Format(time.DateOnly)
}

// walkAgreement records a signed agreement between organisations A and B,
// its renewal due in ten days, with its signed document.
func walkAgreement(t *testing.T, f *fixture) string {
	t.Helper()
	ctx := context.Background()
	coord := f.staff[access.Coordinator].Actor
	a, err := f.env.App.Agreements.Create(ctx, coord, agreements.Input{Title: f.unique("Memorandum"), Status: agreements.Signed,
		SignedOn: dayFromToday(-300), RenewOn: dayFromToday(10), OrgIDs: []string{f.orgA, f.orgB}})
	if err != nil {
		t.Fatalf("create agreement: %v", err)
	}
	if _, err := f.env.App.Agreements.SetDocument(ctx, coord, a.ID, []byte(agreementPDF)); err != nil {
		t.Fatalf("upload document: %v", err)
	}
	return a.ID
}

// walkContact adds a contact person to organisation B; a route may remove it.
func walkContact(t *testing.T, f *fixture) string {
	t.Helper()
	c, err := f.env.App.Agreements.CreateContact(context.Background(), f.staff[access.Coordinator].Actor,
		agreements.ContactInput{OrgID: f.orgB, Name: "Petra Novak", Phone: "+386 1 555 0100", Hours: "Mon–Fri 8–16"})
	if err != nil {
		t.Fatalf("create contact: %v", err)
	}
	return c.ID
}

func agreementForm(_ *testing.T, f *fixture, _ *apptest.User) url.Values {
	return url.Values{"title": {f.unique("Memorandum")}, "status": {"draft"}, "orgs": {f.orgA, f.orgB}, "remind_days": {"30"}}
}

func contactForm(_ *testing.T, f *fixture, _ *apptest.User) url.Values {
	return url.Values{"org": {f.orgB}, "name": {"Petra Novak"}, "phone": {"+386 1 555 0101"}, "hours": {"24/7"}, "languages": {"sl, en"}}
}

// multipartBody encodes form as multipart/form-data, the field named file
// as an uploaded file.
func multipartBody(t *testing.T, form url.Values, file string) (body, ctype string) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for k, vs := range form {
		for _, v := range vs {
			var err error
			if k == file {
				var part interface{ Write([]byte) (int, error) }
				part, err = w.CreateFormFile(k, k+".pdf")
				if err == nil {
					_, err = part.Write([]byte(v))
				}
			} else {
				err = w.WriteField(k, v)
			}
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.String(), w.FormDataContentType()
}

func TestAgreementPages(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			coord := f.staff[access.Coordinator]
			id := walkAgreement(t, f)

			// The list marks the renewal due; a case worker reads it and
			// downloads the document as an attachment.
			for _, lang := range []string{"en", "de"} {
				res, body := f.env.Exchange(t, apptest.Request{Method: "GET", Path: "/agreements", Cookie: coord.Cookie, Header: map[string]string{"Accept-Language": lang}})
				want := map[string]string{"en": "renewal due", "de": "Verlängerung steht an"}[lang]
				if res.StatusCode != http.StatusOK || !strings.Contains(body, `id="agreement-`+id+`" class="overdue"`) || !strings.Contains(body, want) {
					t.Errorf("%s list: %d\n%s", lang, res.StatusCode, body)
				}
			}
			// The coordinator's overview lists it among the renewals due.
			res, body := f.env.Exchange(t, apptest.Request{Method: "GET", Path: "/", Cookie: coord.Cookie})
			if due, _, _ := strings.Cut(body[strings.Index(body, `id="agreements-due"`)+1:], "</li></ul>"); res.StatusCode != http.StatusOK || !strings.Contains(due, `href="/agreements/`+id+`"`) {
				t.Errorf("dashboard lacks the renewal due: %d\n%s", res.StatusCode, body)
			}
			res, body = f.env.Exchange(t, apptest.Request{Method: "GET", Path: "/agreements/" + id + "/document", Cookie: f.staff[access.CaseWorker].Cookie})
			if res.StatusCode != http.StatusOK || body != agreementPDF || res.Header.Get("Content-Type") != "application/pdf" ||
				!strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment;") {
				t.Errorf("download: %d %v", res.StatusCode, res.Header)
			}

			// Uploads: a PDF is taken, anything else refused with the form
			// again and nothing changed.
			form := url.Values{"document": {"not a pdf at all"}}
			b, ct := multipartBody(t, form, "document")
			res, body = f.env.Exchange(t, apptest.Request{Method: "POST", Path: "/agreements/" + id + "/document", Cookie: coord.Cookie, Body: b, CType: ct})
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "must be a PDF") {
				t.Errorf("text upload: %d\n%s", res.StatusCode, body)
			}
			b, ct = multipartBody(t, url.Values{"document": {agreementPDF + "% second version\n"}}, "document")
			res, _ = f.env.Exchange(t, apptest.Request{Method: "POST", Path: "/agreements/" + id + "/document", Cookie: coord.Cookie, Body: b, CType: ct})
			if res.StatusCode != http.StatusSeeOther {
				t.Errorf("PDF upload: %d", res.StatusCode)
			}

			// A renewal before signing is refused in German, nothing changed.
			bad := url.Values{"title": {"Memorandum"}, "status": {"signed"}, "signed_on": {dayFromToday(-10)}, "renew_on": {dayFromToday(-20)}, "orgs": {f.orgA, f.orgB}}
			res, body = f.env.Exchange(t, apptest.Request{Method: "POST", Path: "/agreements/" + id, Cookie: coord.Cookie, Form: bad,
				Header: map[string]string{"Accept-Language": "de"}})
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Das Verlängerungsdatum muss nach dem Unterzeichnungsdatum liegen") {
				t.Errorf("renewal before signing: %d\n%s", res.StatusCode, body)
			}
			a, err := f.env.App.Agreements.Get(context.Background(), coord.Actor, id)
			if err != nil || a.RenewOn != dayFromToday(10) {
				t.Errorf("after the refusal: %+v, %v", a, err)
			}

			// Contacts: added on a phone-sized form, listed with a tel: link.
			res, _ = f.env.Exchange(t, apptest.Request{Method: "POST", Path: "/partners/contacts/new", Cookie: coord.Cookie, Form: contactForm(t, f, nil)})
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("add contact: %d", res.StatusCode)
			}
			res, body = f.env.Exchange(t, apptest.Request{Method: "GET", Path: "/partners/contacts", Cookie: f.staff[access.Screener].Cookie})
			if res.StatusCode != http.StatusOK || !strings.Contains(body, "Petra Novak") || !strings.Contains(body, `href="tel:&#43;38615550101"`) {
				t.Errorf("contacts for a screener: %d\n%s", res.StatusCode, body)
			}

			// Roles without the action get 403.
			for _, rc := range []struct {
				role         access.Role
				method, path string
			}{
				{access.Analyst, "GET", "/agreements"},
				{access.Administrator, "GET", "/partners/contacts"},
				{access.CaseWorker, "GET", "/agreements/new"},
				{access.Screener, "POST", "/agreements/" + id},
				{access.PoliceContact, "GET", "/partners/contacts/new"},
			} {
				req := apptest.Request{Method: rc.method, Path: rc.path, Cookie: f.staff[rc.role].Cookie}
				if rc.method == "POST" {
					req.Form = bad
				}
				if res, _ := f.env.Exchange(t, req); res.StatusCode != http.StatusForbidden {
					t.Errorf("%s %s as %s: %d, want 403", rc.method, rc.path, rc.role, res.StatusCode)
				}
			}
			if m := f.env.App.Catalog.Missing(); len(m) != 0 {
				t.Errorf("missing message keys: %v", m)
			}
		})
	}
}

// TestCallListsNameContactPersons: the field guide's page on whom to call
// and an urgent screening's call-now list show a partner's named contact
// persons with phone and hours beneath its own number.
func TestCallListsNameContactPersons(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			walkContact(t, f)
			screener := f.env.Session(t, f.staff[access.Screener].ID, true)
			person := `<li>Petra Novak: <a href="tel:&#43;38615550100">&#43;386 1 555 0100</a> · Mon–Fri 8–16</li>`
			_, guide := f.env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: "/guide/contacts", Cookie: screener})
			if !strings.Contains(guide, person) || !strings.Contains(guide, `href="/partners/contacts"`) {
				t.Errorf("whom to call lacks the contact person:\n%s", guide)
			}
			// A child: social services (organisation B) stand in for child
			// protection on the call-now list.
			id := startScreening(t, f.env, screener, url.Values{"setting": {"hotline_call"}, "age.estimated": {"1"}, "age.child_reasons": {"1"}})
			f.env.Exchange(t, apptest.Request{Method: http.MethodPost, Path: "/screenings/" + id + "/questions", Cookie: screener,
				Form: url.Values{"page": {"1"}, "go": {"finish"}, "answers.core.danger": {"yes"}}})
			_, result := f.env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: "/screenings/" + id, Cookie: screener})
			callNow, _, _ := strings.Cut(result[strings.Index(result, `id="call-now"`)+1:], "</section>")
			if !strings.Contains(callNow, "Organisation B") || !strings.Contains(callNow, person) {
				t.Errorf("the call-now list lacks the contact person:\n%s", callNow)
			}
		})
	}
}
