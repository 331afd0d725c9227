package disclosure

// round rounds every published count to the nearest multiple of base
// (halves up) after suppression. A margin whose cells are all published is
// then shown as the sum of its rounded cells, so the table adds up where a
// reader can check it; a margin over suppressed cells is rounded itself.
// Rounding only coarsens what suppression left published, so it cannot
// undo the protection.
func (t *Table) round(base int) {
	for i := range t.cells {
		c := &t.cells[i]
		if c.Status == Value {
			c.shown = (c.Count + base/2) / base * base
			c.Rounded = true
		}
	}
	for i := range t.cells {
		c := &t.cells[i]
		if t.interior(i) || (c.Status != Value && c.Status != KnownZero) {
			continue
		}
		sum, whole := 0, true
		for _, j := range t.inside[i] {
			cell := t.cells[j]
			if cell.Status == Suppressed || cell.Status == Unknown {
				whole = false
			}
			sum += cell.shown
		}
		if whole {
			c.shown = sum
			c.Rounded = false
			c.Recomputed = true
		}
	}
}
