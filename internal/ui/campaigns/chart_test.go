package campaignsui

import (
	"testing"

	"waymark.city/waymark/internal/campaigns"
)

// TestFunnelChart: reach is a bar of the chart; far larger than the other
// steps it has a scale of its own, so the others stay readable; a target
// is marked on its bar and named under it; the chart keeps its drawn size.
func TestFunnelChart(t *testing.T) {
	target := campaigns.Progress{Target: campaigns.Target{Measure: "contacts", Target: 40, DueOn: "2027-01-31"}, Count: 10}
	c := funnelChart(campaigns.Funnel{Reach: 1150, Contacts: 10, Reports: 4, Screenings: 1, Targets: []campaigns.Progress{target}})
	if c.Width != chartWidth || len(c.Bars) != 5 || c.Bars[0].Measure != "reach" || !c.Bars[0].OwnScale || c.Bars[0].Width != chartBars {
		t.Fatalf("chart %+v: want reach first, on its own scale", c)
	}
	contacts := c.Bars[1]
	if contacts.Width != 10*chartBars/40 || len(contacts.Targets) != 1 || contacts.Targets[0].X != chartLabel+chartBars {
		t.Fatalf("contacts %+v: want a quarter of the target's length, the target at the scale's end", contacts)
	}
	if c.Bars[1].Y < c.Bars[0].TargetY() {
		t.Fatalf("the reach bar's note overlaps the next bar: %+v", c.Bars[:2])
	}
	if contacts.TargetY() <= contacts.MarkBottom() || c.Bars[2].Y <= contacts.TargetY() || c.Height <= c.Bars[4].MarkBottom() {
		t.Fatalf("the target's text overlaps: %+v", c)
	}
	if c.Bars[4].Count != 0 || c.Bars[4].Width != 0 {
		t.Fatalf("referrals %+v: want no bar", c.Bars[4])
	}
	// Reach not far above the other steps shares their scale.
	c = funnelChart(campaigns.Funnel{Reach: 100, Contacts: 50})
	if c.Bars[0].OwnScale || c.Bars[0].Width != chartBars || c.Bars[1].Width != chartBars/2 {
		t.Fatalf("shared scale %+v", c.Bars[:2])
	}
}
