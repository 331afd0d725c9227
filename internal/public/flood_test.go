package public_test

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"waymark.city/waymark/internal/intake"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
	"waymark.city/waymark/internal/web"
)

// behindProxy sends every request through one proxy address, as a
// reverse proxy in front of Waymark does; forwarded names the visitor in
// X-Forwarded-For ("" for none), believed only when trusted.
func behindProxy(s *site, trusted bool) func(t *testing.T, r *http.Request, forwarded string) response {
	var proxies web.Proxies
	if trusted {
		proxies = web.NewProxies([]netip.Prefix{netip.MustParsePrefix("10.0.0.1/32")}, web.HeaderXForwardedFor)
	}
	h := web.ClientAddress(proxies)(s.handler)
	return func(t *testing.T, r *http.Request, forwarded string) response {
		t.Helper()
		r.RemoteAddr = "10.0.0.1:55555"
		if forwarded != "" {
			r.Header.Set("X-Forwarded-For", forwarded)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return response{status: w.Code, body: w.Body.String(), header: w.Header()}
	}
}

func reportRequest(t *testing.T, form url.Values) *http.Request {
	body, ct := multipartBody(t, form)
	r := httptest.NewRequest(http.MethodPost, "/report", body)
	r.Header.Set("Content-Type", ct)
	return r
}

func codeRequest(form url.Values) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/report/follow-up", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}

// TestFloodBehindProxy: one visitor floods the form from behind the
// city's proxy — empty forms, reports without a proof of work, one solved
// proof sent again and again, wrong receipt codes. Other visitors behind
// the same proxy still send a report and open their thread: with a proof
// of work whether or not the proxy is trusted, and without one (no
// JavaScript) when it is trusted and names them.
func TestFloodBehindProxy(t *testing.T) {
	for _, trusted := range []bool{false, true} {
		t.Run(map[bool]string{false: "proxy not trusted", true: "proxy trusted"}[trusted], func(t *testing.T) {
			s := newSite(t, storagetest.Open(t, storage.SQLite), intake.Config{SubmitsPerHour: 3, CodeTriesPerHour: 3})
			s.env.Org(t, "Hotline", "hotline")
			send := behindProxy(s, trusted)
			const flooder, other = "203.0.113.66", "198.51.100.5"

			mine := reportForm("What I saw")
			s.work(t, s.get(t, "/report").body, mine)
			res := send(t, reportRequest(t, mine), other)
			if res.status != http.StatusOK {
				t.Fatalf("first report = %d", res.status)
			}
			code := receiptCode(t, res.body)

			reused := reportForm("Again")
			s.work(t, s.get(t, "/report").body, reused)
			refused := 0
			for i := range 30 {
				form := url.Values{}
				switch i % 3 {
				case 1:
					form = reportForm("no proof of work")
				case 2:
					form = reused
				}
				if send(t, reportRequest(t, form), flooder).status == http.StatusTooManyRequests {
					refused++
				}
				if send(t, codeRequest(url.Values{"code": {"1234 1234 1234 1234"}}), flooder).status == http.StatusTooManyRequests {
					refused++
				}
			}
			if refused < 30 {
				t.Errorf("the flood was refused only %d of 60 times", refused)
			}

			// Another visitor with a proof of work.
			form := reportForm("Someone else saw this")
			s.work(t, s.get(t, "/report").body, form)
			res = send(t, reportRequest(t, form), other)
			if res.status != http.StatusOK || strings.Contains(res.body, "receipt-held") {
				t.Errorf("another visitor's report during the flood = %d", res.status)
			}
			open := url.Values{"code": {code}}
			s.work(t, s.get(t, "/report/follow-up").body, open)
			if res := send(t, codeRequest(open), other); res.status != http.StatusOK {
				t.Errorf("another visitor's receipt code during the flood = %d", res.status)
			}
			// Without JavaScript, the visitor's own address counts: only a
			// trusted proxy tells them apart from the flood.
			want := http.StatusTooManyRequests
			if trusted {
				want = http.StatusOK
			}
			if res := send(t, reportRequest(t, reportForm("no script here")), other); res.status != want {
				t.Errorf("a report without proof of work from another visitor = %d, want %d", res.status, want)
			}
		})
	}
}

// TestSpoofedForwardedFor: a visitor who is not a proxy cannot pick a new
// address per request to escape its budget.
func TestSpoofedForwardedFor(t *testing.T) {
	s := newSite(t, storagetest.Open(t, storage.SQLite), intake.Config{SubmitsPerHour: 2})
	s.env.Org(t, "Hotline", "hotline")
	h := web.ClientAddress(web.NewProxies([]netip.Prefix{netip.MustParsePrefix("10.0.0.1/32")}, web.HeaderXForwardedFor))(s.handler)
	last := 0
	for i := range 4 {
		r := reportRequest(t, reportForm("spoofed"))
		r.RemoteAddr = "203.0.113.66:4000"
		r.Header.Set("X-Forwarded-For", "198.51.100."+string(rune('1'+i)))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		last = w.Code
	}
	if last != http.StatusTooManyRequests {
		t.Errorf("fourth report with a spoofed header = %d, want 429", last)
	}
}
