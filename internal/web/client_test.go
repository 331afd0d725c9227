package web_test

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"waymark.city/waymark/internal/web"
)

func TestClientAddress(t *testing.T) {
	proxies := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("2001:db8:1::/48")}
	xff := web.NewProxies(proxies, web.HeaderXForwardedFor)
	fwd := web.NewProxies(proxies, web.HeaderForwarded)
	for _, tc := range []struct {
		name    string
		proxies web.Proxies
		peer    string
		header  string
		values  []string
		want    string
	}{
		{"no proxy trusted: the header is ignored", web.Proxies{}, "10.1.1.1:4000", "X-Forwarded-For", []string{"203.0.113.9"}, "10.1.1.1"},
		{"spoofed from an untrusted peer", xff, "198.51.100.7:4000", "X-Forwarded-For", []string{"10.0.0.1, 203.0.113.9"}, "198.51.100.7"},
		{"one trusted proxy", xff, "10.0.0.1:4000", "X-Forwarded-For", []string{"203.0.113.9"}, "203.0.113.9"},
		{"the visitor's own prefix is not believed", xff, "10.0.0.1:4000", "X-Forwarded-For", []string{"192.0.2.66, 203.0.113.9"}, "203.0.113.9"},
		{"two trusted proxies", xff, "10.0.0.1:4000", "X-Forwarded-For", []string{"203.0.113.9, 10.0.0.2"}, "203.0.113.9"},
		{"several header lines", xff, "10.0.0.1:4000", "X-Forwarded-For", []string{"192.0.2.66", "203.0.113.9", "10.0.0.2"}, "203.0.113.9"},
		{"a port and IPv6 in brackets", xff, "[2001:db8:1::5]:443", "X-Forwarded-For", []string{"[2001:db8:2::9]:5555"}, "2001:db8:2::9"},
		{"IPv4 mapped in IPv6", xff, "[::ffff:10.0.0.1]:443", "X-Forwarded-For", []string{"::ffff:203.0.113.9"}, "203.0.113.9"},
		{"malformed hop: the proxy that wrote it", xff, "10.0.0.1:4000", "X-Forwarded-For", []string{"203.0.113.9, <script>, 10.0.0.2"}, "10.0.0.2"},
		{"empty header: the proxy", xff, "10.0.0.1:4000", "X-Forwarded-For", []string{""}, "10.0.0.1"},
		{"no header: the proxy", xff, "10.0.0.1:4000", "", nil, "10.0.0.1"},
		{"only trusted hops: the left-most", xff, "10.0.0.1:4000", "X-Forwarded-For", []string{"10.9.9.9, 10.0.0.2"}, "10.9.9.9"},
		{"Forwarded, quoted IPv6 with a port", fwd, "10.0.0.1:4000", "Forwarded", []string{`for=192.0.2.60;proto=http, For="[2001:db8:cafe::17]:4711";by=10.0.0.1`}, "2001:db8:cafe::17"},
		{"Forwarded ignores X-Forwarded-For", fwd, "10.0.0.1:4000", "X-Forwarded-For", []string{"203.0.113.9"}, "10.0.0.1"},
		{"Forwarded obfuscated identifier", fwd, "10.0.0.1:4000", "Forwarded", []string{"for=_hidden"}, "10.0.0.1"},
		{"Forwarded element without for", fwd, "10.0.0.1:4000", "Forwarded", []string{"proto=https"}, "10.0.0.1"},
		{"Forwarded spoofed from an untrusted peer", fwd, "198.51.100.7:4000", "Forwarded", []string{"for=203.0.113.9"}, "198.51.100.7"},
		{"a very long chain of trusted hops stops", xff, "10.0.0.1:4000", "X-Forwarded-For", []string{"203.0.113.9," + strings.Repeat("10.0.0.3,", 100) + "10.0.0.2"}, "10.0.0.3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.RemoteAddr = tc.peer
			for _, v := range tc.values {
				r.Header.Add(tc.header, v)
			}
			var got netip.Addr
			web.ClientAddress(tc.proxies)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				got = web.ClientAddr(r)
			})).ServeHTTP(httptest.NewRecorder(), r)
			if got.String() != tc.want {
				t.Errorf("client = %s, want %s", got, tc.want)
			}
		})
	}
}

// Without the middleware (a handler tested alone) the peer is the client.
func TestClientAddrWithoutMiddleware(t *testing.T) {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.RemoteAddr = "198.51.100.7:4000"
	r.Header.Set("X-Forwarded-For", "203.0.113.9")
	if got := web.ClientAddr(r).String(); got != "198.51.100.7" {
		t.Errorf("client = %s", got)
	}
}
