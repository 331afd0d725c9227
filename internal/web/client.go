package web

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Forwarded headers a trusted proxy may write.
const (
	HeaderXForwardedFor = "X-Forwarded-For"
	HeaderForwarded     = "Forwarded" // RFC 7239
)

// maxHops bounds how far back a forwarded chain is followed: no real
// deployment has more proxies than this in front of Waymark.
const maxHops = 32

// Proxies are the reverse proxies whose forwarded header is believed. The
// zero value trusts none: the client is the connection's peer, whatever
// the request's headers say.
type Proxies struct {
	nets   []netip.Prefix
	header string
}

// NewProxies trusts the proxies in nets to report their client in header
// (HeaderXForwardedFor, or HeaderForwarded for RFC 7239).
func NewProxies(nets []netip.Prefix, header string) Proxies {
	if header != HeaderForwarded {
		header = HeaderXForwardedFor
	}
	return Proxies{nets: nets, header: header}
}

func (p Proxies) trusted(a netip.Addr) bool {
	for _, n := range p.nets {
		if n.Contains(a) {
			return true
		}
	}
	return false
}

// Client is the address of the client behind r: the connection's peer,
// unless the peer is a trusted proxy; then the right-most hop of the
// forwarded chain that is not a trusted proxy. Hops left of it were
// written by whoever sent the request and are never believed. A hop that
// does not parse ends the walk at the last trusted proxy, so a malformed
// header can only make a client look like its proxy, never like someone
// else. The zero Addr means the peer address itself did not parse.
func (p Proxies) Client(r *http.Request) netip.Addr {
	peer := peerAddr(r.RemoteAddr)
	if !peer.IsValid() || !p.trusted(peer) {
		return peer
	}
	hops := p.hops(r.Header)
	client := peer
	for i := len(hops) - 1; i >= 0 && i >= len(hops)-maxHops; i-- {
		a, ok := parseHop(hops[i], p.header == HeaderForwarded)
		if !ok {
			return client
		}
		client = a
		if !p.trusted(a) {
			return a
		}
	}
	return client
}

// hops lists the forwarded chain, client first, over every line of the
// header (a proxy may add a line instead of extending the last one).
func (p Proxies) hops(h http.Header) []string {
	var hops []string
	for _, line := range h.Values(p.header) {
		hops = append(hops, strings.Split(line, ",")...)
	}
	return hops
}

// parseHop reads one hop: an address, with or without a port; in a
// Forwarded element, the for= parameter (quoted, IPv6 in brackets).
// Obfuscated identifiers ("unknown", "_hidden") do not parse.
func parseHop(hop string, forwarded bool) (netip.Addr, bool) {
	hop = strings.TrimSpace(hop)
	if forwarded {
		found := false
		for pair := range strings.SplitSeq(hop, ";") {
			name, value, ok := strings.Cut(strings.TrimSpace(pair), "=")
			if ok && strings.EqualFold(strings.TrimSpace(name), "for") {
				hop, found = strings.Trim(strings.TrimSpace(value), `"`), true
				break
			}
		}
		if !found {
			return netip.Addr{}, false
		}
	}
	a := peerAddr(hop)
	return a, a.IsValid()
}

// peerAddr parses "host", "host:port", "[v6]" or "[v6]:port", dropping an
// IPv6 zone and unmapping IPv4-in-IPv6, so one client has one form.
func peerAddr(s string) netip.Addr {
	if host, _, err := net.SplitHostPort(s); err == nil {
		s = host
	}
	s = strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}
	}
	return a.WithZone("").Unmap()
}

type clientKey struct{}

// ClientAddress is the middleware that decides each request's client
// address once, for pages, API and public forms alike (see ClientAddr).
// The address lives only in the request's context: handlers turn it into
// a keyed, daily-changing value and never store or log it.
func ClientAddress(p Proxies) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), clientKey{}, p.Client(r))))
		})
	}
}

// ClientAddr is the client address ClientAddress decided; without that
// middleware, the connection's peer.
func ClientAddr(r *http.Request) netip.Addr {
	if a, ok := r.Context().Value(clientKey{}).(netip.Addr); ok {
		return a
	}
	return peerAddr(r.RemoteAddr)
}
