package e2e

import (
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// TestAreasMapOnPhone: the coordinator opens the city's areas on a 375 px
// phone. The demo's six districts are an SVG map drawn by the server with
// a title per district and the table beside it; the page fits the screen;
// and the browser asks no origin but Waymark's for anything, from signing
// in to the map.
func TestAreasMapOnPhone(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	b := newBrowser(t, srv)
	var mu sync.Mutex
	origins := map[string]int{}
	err := chromedp.Listen(b.ctx, func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok {
			u, err := url.Parse(e.Request.URL)
			if err != nil || u.Scheme == "data" {
				return
			}
			mu.Lock()
			origins[u.Scheme+"://"+u.Host]++
			mu.Unlock()
		}
	})
	if err != nil {
		t.Fatalf("listen to requests: %v", err)
	}

	b.signInNew("coordinator")
	b.do(chromedp.EmulateViewport(375, 740, chromedp.EmulateMobile, chromedp.EmulatePortrait))
	wantStatus(t, b.open("/areas"), 200)
	b.do(chromedp.WaitVisible(chromedp.CSS("svg.map")))
	b.screenshot("areas-phone")

	if n := eval[int](b, `document.querySelectorAll("svg.map[role=img] path > title").length`); n != 6 {
		t.Errorf("the map has %d titled districts, want the demo's 6", n)
	}
	if rows := b.texts("#area-list tbody th"); len(rows) != 6 || !strings.Contains(strings.Join(rows, ","), "Station Quarter") {
		t.Errorf("the table lists %q, want the demo's six districts", rows)
	}
	if w := eval[float64](b, `document.querySelector("svg.map").getBoundingClientRect().width`); w < 300 || w > 375 {
		t.Errorf("the map is %.0f px wide on a 375 px phone, want it to fill the column", w)
	}
	if l := eval[layout](b, layoutJS); l.ScrollWidth > l.InnerWidth {
		t.Errorf("the page scrolls sideways: %d px in %d px; too wide: %s", l.ScrollWidth, l.InnerWidth, strings.Join(l.Wide, ", "))
	}

	own, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if origins[own.Scheme+"://"+own.Host] == 0 {
		t.Errorf("no request to Waymark was seen (%v): the listener hears nothing", origins)
	}
	for origin, n := range origins {
		if origin != own.Scheme+"://"+own.Host {
			t.Errorf("%d requests to %s, another origin", n, origin)
		}
	}
}
