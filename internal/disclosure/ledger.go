package disclosure

import (
	"slices"
	"strconv"
	"strings"

	"waymark.city/waymark/internal/apperr"
)

// MaxLedgerCells bounds the finest-grained cells a ledger check solves
// over (the product of the atoms of every dimension); beyond it the check
// refuses rather than keep a person waiting for minutes.
const MaxLedgerCells = 1296

// Release is a protected table as it left Waymark for one recipient: its
// dimensions (each category naming the finest-grained parts it covers) and
// what each cell showed. It is what the release ledger keeps.
type Release struct {
	ID         string         `json:"id"`
	Threshold  int            `json:"threshold"`
	Rounding   int            `json:"rounding,omitempty"`
	Dimensions []Dimension    `json:"dimensions"`
	Cells      []ReleasedCell `json:"cells"`
}

// ReleasedCell is one cell of a release. Prior is what the recipient knows
// about a suppressed count beforehand (1 when Waymark never suppresses a
// zero there); Protect marks a suppressed cell that must keep the
// protection.
type ReleasedCell struct {
	Key        []int  `json:"key"`
	Status     Status `json:"status"`
	Shown      int    `json:"shown,omitempty"`
	Rounded    bool   `json:"rounded,omitempty"`
	Recomputed bool   `json:"recomputed,omitempty"`
	Prior      int    `json:"prior,omitempty"`
	Protect    bool   `json:"protect,omitempty"`
}

// Release describes the protected table t as the release id.
func (t *Table) Release(id string) Release {
	r := Release{ID: id, Threshold: t.rules.threshold(), Rounding: t.rules.Rounding, Dimensions: t.dims}
	for i, c := range t.cells {
		rc := ReleasedCell{Key: t.Key(i), Status: c.Status, Shown: c.Shown(), Rounded: c.Rounded, Recomputed: c.Recomputed}
		if c.Status == Suppressed {
			rc.Prior = int(t.lowerBound(i))
			rc.Protect = t.protects(i)
		}
		r.Cells = append(r.Cells, rc)
	}
	return r
}

// Ledger holds the earlier releases to one recipient.
type Ledger struct {
	Releases []Release
}

// Finding is a suppressed cell of a release (by its ID) that the releases
// together narrow below the release's threshold.
type Finding struct {
	Release  string
	Key      []int
	Interval Interval
}

// Check solves the attacker's programme over next and every earlier
// release together and returns the suppressed cells it narrows below
// their threshold; with any, the error is a conflict naming how many. The
// releases become linear relations over one common set of finest-grained
// cells: per dimension, the atoms are the classes of parts that no
// category of any release separates, plus the rest of the dimension's
// domain when some release does not break it down at all. A cell of a
// release is the sum of the atoms its categories cover, so year-to-date
// minus months, or overlapping areas, are just more equations.
func (l Ledger) Check(next Release) ([]Finding, error) {
	all := append(slices.Clip(l.Releases), next)
	for _, r := range all {
		if err := r.validate(); err != nil {
			return nil, err
		}
	}
	u := newUniverse(all)
	if u.size > MaxLedgerCells {
		return nil, apperr.New(apperr.Conflict, "statistics.error.ledger_too_large")
	}
	var p problem
	for range u.size {
		p.addVar(0)
	}
	type target struct {
		release string
		key     []int
		terms   []term
		need    int
	}
	var targets []target
	for ri, r := range all {
		for _, c := range r.Cells {
			terms := u.terms(ri, r, c.Key)
			switch {
			case c.Status == Suppressed:
				if c.Prior > 0 {
					p.rows = append(p.rows, constraint{terms: terms, rhs: float64(c.Prior), ge: true})
				}
				if c.Protect {
					targets = append(targets, target{release: r.ID, key: c.Key, terms: terms, need: r.Threshold})
				}
			case c.Status == Unknown || c.Recomputed:
			case c.Rounded:
				lo, hi := max(0, c.Shown-r.Rounding/2), c.Shown+(r.Rounding-1)/2
				p.rows = append(p.rows, constraint{terms: terms, rhs: float64(lo), ge: true})
				p.rows = append(p.rows, constraint{terms: negate(terms), rhs: -float64(hi), ge: true})
			default:
				p.rows = append(p.rows, constraint{terms: terms, rhs: float64(c.Shown)})
			}
		}
	}
	lp, err := p.solve()
	if err != nil {
		return nil, apperr.Wrap(apperr.Conflict, "statistics.error.release_inconsistent", err)
	}
	var found []Finding
	for _, tg := range targets {
		if iv := lp.interval(tg.terms, 0, true); iv.Width() < tg.need {
			found = append(found, Finding{Release: tg.release, Key: tg.key, Interval: iv})
		}
	}
	if len(found) > 0 {
		return found, &apperr.Error{Code: apperr.Conflict, Key: "statistics.error.release_differencing", Args: map[string]any{"n": len(found)}}
	}
	return nil, nil
}

func negate(terms []term) []term {
	out := make([]term, len(terms))
	for i, tm := range terms {
		out[i] = term{v: tm.v, a: -tm.a}
	}
	return out
}

// validate checks a release read back from storage: its dimensions as a
// table's, every cell key inside them.
func (r Release) validate() error {
	if _, err := validateDimensions(r.Dimensions); err != nil {
		return err
	}
	bad := apperr.Validation(apperr.FieldError{Field: "release", Key: "statistics.error.release_malformed"})
	if r.Threshold < 1 || r.Threshold > MaxThreshold || (r.Rounding != 0 && r.Rounding != 5 && r.Rounding != 10) {
		return bad
	}
	for _, c := range r.Cells {
		if len(c.Key) != len(r.Dimensions) || c.Shown < 0 || c.Prior < 0 || c.Prior > 1 {
			return bad
		}
		for d, v := range c.Key {
			if v != Total && (v < 0 || v >= len(r.Dimensions[d].Categories)) {
				return bad
			}
		}
	}
	return nil
}

// universe is the common refinement of the releases' dimensions.
type universe struct {
	dims    []string
	atoms   [][][][]int // per dimension, per release, per category (Total last): the atoms it covers
	sizes   []int
	strides []int
	size    int
}

// rest is the part of a dimension's domain that no category names.
const rest = "\x00rest"

func newUniverse(rs []Release) *universe {
	u := &universe{}
	for _, r := range rs {
		for _, d := range r.Dimensions {
			if !slices.Contains(u.dims, d.Code) {
				u.dims = append(u.dims, d.Code)
			}
		}
	}
	for _, code := range u.dims {
		// A part's signature is the list of (release, category) covering
		// it; parts with one signature are one atom.
		sig := map[string][]string{}
		partial := false
		for ri, r := range rs {
			d := r.dimension(code)
			if d == nil {
				partial = true
				continue
			}
			for ci, c := range d.Categories {
				for _, p := range c.parts() {
					sig[p] = append(sig[p], strconv.Itoa(ri)+":"+strconv.Itoa(ci))
				}
			}
		}
		if partial {
			sig[rest] = nil
		}
		atomOf := map[string]int{}
		partAtom := map[string]int{}
		parts := make([]string, 0, len(sig))
		for p := range sig {
			parts = append(parts, p)
		}
		slices.Sort(parts)
		for _, p := range parts {
			s := strings.Join(sig[p], ",")
			if _, ok := atomOf[s]; !ok {
				atomOf[s] = len(atomOf)
			}
			partAtom[p] = atomOf[s]
		}
		n := len(atomOf)
		perRelease := make([][][]int, len(rs))
		for ri, r := range rs {
			d := r.dimension(code)
			if d == nil {
				perRelease[ri] = [][]int{seq(n)}
				continue
			}
			var total []int
			for _, c := range d.Categories {
				var cover []int
				for _, p := range c.parts() {
					if a := partAtom[p]; !slices.Contains(cover, a) {
						cover = append(cover, a)
					}
				}
				perRelease[ri] = append(perRelease[ri], cover)
				total = append(total, cover...)
			}
			slices.Sort(total)
			perRelease[ri] = append(perRelease[ri], slices.Compact(total))
		}
		u.atoms = append(u.atoms, perRelease)
		u.sizes = append(u.sizes, n)
	}
	u.strides = make([]int, len(u.dims))
	u.size = 1
	for d := len(u.dims) - 1; d >= 0; d-- {
		u.strides[d] = u.size
		u.size *= u.sizes[d]
	}
	return u
}

func seq(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

func (r Release) dimension(code string) *Dimension {
	for i := range r.Dimensions {
		if r.Dimensions[i].Code == code {
			return &r.Dimensions[i]
		}
	}
	return nil
}

// terms writes cell key of release ri as the sum of the atoms it covers.
func (u *universe) terms(ri int, r Release, key []int) []term {
	covers := make([][]int, len(u.dims))
	for d, code := range u.dims {
		per := u.atoms[d][ri]
		idx := len(per) - 1 // the whole dimension for a release without it
		for rd, dim := range r.Dimensions {
			if dim.Code == code && key[rd] != Total {
				idx = key[rd]
			}
		}
		covers[d] = per[idx]
	}
	var terms []term
	var walk func(d, v int)
	walk = func(d, v int) {
		if d == len(u.dims) {
			terms = append(terms, term{v: v, a: 1})
			return
		}
		for _, a := range covers[d] {
			walk(d+1, v+a*u.strides[d])
		}
	}
	walk(0, 0)
	return terms
}
