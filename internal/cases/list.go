package cases

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/storage"
)

// FilterOf reads the case list's filters (stage, risk, exploitation,
// deadline, area, q, mine) through get, a query's Get, as the page, the
// API and their exports name them; the cursor and limit are the caller's.
func FilterOf(get func(string) string) Filter {
	return Filter{Stage: get("stage"), Risk: get("risk"), Exploitation: get("exploitation"), Deadline: get("deadline"),
		Area: get("area"), Query: get("q"), Mine: get("mine") != ""}
}

// Filter narrows the case list. Empty fields do not filter.
type Filter struct {
	// Stage is a stage, or "open" for every stage but closed (the default
	// when empty), or "all".
	Stage string
	// Risk is a risk level.
	Risk string
	// Exploitation is a form of exploitation.
	Exploitation string
	// Deadline is "overdue" (a deadline has passed) or "week" (one is due
	// within seven days).
	Deadline string
	// Area is an area's code, or AreaNone for the cases whose area is not
	// recorded.
	Area string
	// Mine keeps the cases the actor works on (worker or team).
	Mine bool
	// Query is a case code or a name; names are matched word by word
	// through blind-index tokens, never in the clear.
	Query string
	// Cursor continues a list after the last case of the previous page.
	Cursor string
	Limit  int
}

// Page is one page of the case list.
type Page struct {
	Cases []Case
	// Next is the cursor of the next page, "" on the last page.
	Next string
}

// AreaNone is the area filter of the cases whose area is not recorded.
const AreaNone = "none"

// MaxListLimit is the largest page of the case list.
const MaxListLimit = 100

// List lists the cases of the actor's organisation and those shared with
// it, most recently changed first, without identities.
func (s *Service) List(ctx context.Context, actor access.Actor, f Filter) (Page, error) {
	scope, err := s.authorize(ctx, actor, access.ViewCases, "cases", "")
	if err != nil {
		return Page{}, err
	}
	queries, err := s.listQueries(scope, actor, f, listLimit(f.Limit)+1)
	if err != nil {
		return Page{}, err
	}
	var page Page
	err = s.db.Read(ctx, func(tx *storage.Tx) error {
		page.Cases, err = listed(ctx, tx, queries)
		return err
	})
	if err != nil {
		return Page{}, err
	}
	if limit := listLimit(f.Limit); len(page.Cases) > limit {
		page.Cases = page.Cases[:limit]
		last := page.Cases[limit-1]
		page.Next = strconv.FormatInt(last.UpdatedAt.UnixMicro(), 10) + "." + last.ID
	}
	return page, nil
}

// listed runs the case list's queries and merges their cases, most
// recently changed first.
func listed(ctx context.Context, tx *storage.Tx, queries []Query) ([]Case, error) {
	var out []Case
	for _, q := range queries {
		rows, err := tx.QueryContext(ctx, q.SQL, q.Args...)
		if err != nil {
			return nil, fmt.Errorf("list cases: %w", err)
		}
		for rows.Next() {
			c, err := scanCase(rows)
			if err != nil {
				rows.Close()
				return nil, fmt.Errorf("scan case: %w", err)
			}
			out = append(out, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("list cases: %w", err)
		}
	}
	slices.SortFunc(out, func(a, b Case) int {
		if c := b.UpdatedAt.Compare(a.UpdatedAt); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
	return out, nil
}

func listLimit(n int) int {
	if n <= 0 || n > MaxListLimit {
		return 50
	}
	return n
}

// Query is one SQL statement with its arguments.
type Query struct {
	SQL  string
	Args []any
}

// ListQueries returns the SQL that List runs for actor and f, so that the
// benchmark can run the very same statements without the service around them.
func (s *Service) ListQueries(actor access.Actor, f Filter) ([]Query, error) {
	scope, err := access.Authorize(actor, access.ViewCases)
	if err != nil {
		return nil, err
	}
	return s.listQueries(scope, actor, f, listLimit(f.Limit)+1)
}

// listQueries builds the case list, each query reading at most limit cases:
// the organisation's own cases and those shared with it are two queries,
// each able to walk its index in order (one query with an OR between them
// would scan every case); List merges them.
func (s *Service) listQueries(scope access.Scope, actor access.Actor, f Filter, limit int) ([]Query, error) {
	parts := []string{ownedBy}
	if scope.Org() != "*" {
		parts = append(parts, sharedWith)
	}
	out := make([]Query, len(parts))
	for i, part := range parts {
		q, args, err := s.listQuery(scope, actor, f, part, limit)
		if err != nil {
			return nil, err
		}
		out[i] = Query{SQL: q, Args: args}
	}
	return out, nil
}

// The two parts of the case list ($1 is the scope): the organisation's own
// cases (all of them for an all-organisations scope), and those shared
// with it that it accepted, read starting from its shares so that the
// planner walks the few shares rather than the many cases.
const (
	ownedBy    = "owned"
	sharedWith = "shared"
)

// listQuery builds one part of the case list query. Every condition is a
// fixed SQL fragment with numbered parameters; user input only ever
// travels as arguments.
func (s *Service) listQuery(scope access.Scope, actor access.Actor, f Filter, part string, limit int) (string, []any, error) {
	args := []any{scope.Org()}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	from, where := caseFrom, []string{`($1 = '*' OR c.org_id = $1)`}
	switch {
	case part == sharedWith:
		// At most one accepted share per case and organisation (ShareCase).
		from = ` FROM case_shares sh JOIN cases c ON c.id = sh.case_id JOIN organisations o ON o.id = c.org_id
			LEFT JOIN case_groups g ON g.id = c.group_id`
		where = []string{`sh.to_org = $1`, `sh.status = 'accepted'`, `c.org_id <> $1`}
	case scope.Org() != "*":
		// A plain equality lets the planner walk the organisation's index.
		where = []string{`c.org_id = $1`}
	}
	where = append(where, "c.anonymised_at IS NULL")
	switch st := Stage(f.Stage); {
	case f.Stage == "" || f.Stage == "open":
		where = append(where, "c.stage <> 'closed'")
	case f.Stage == "all":
	case st.Valid():
		where = append(where, "c.stage = "+arg(f.Stage))
	default:
		return "", nil, apperr.Validation(apperr.FieldError{Field: "stage", Key: "error.case_stage_unknown"})
	}
	if f.Risk != "" {
		if !slices.Contains(riskLevels, f.Risk) {
			return "", nil, apperr.Validation(apperr.FieldError{Field: "risk", Key: "error.case_risk_level"})
		}
		where = append(where, "c.risk_level = "+arg(f.Risk))
		if part == sharedWith {
			// Only where risk was shared (category codes are fixed, not input).
			where = append(where, `sh.categories LIKE '%"`+string(Risk)+`"%'`)
		}
	}
	if f.Exploitation != "" {
		if !slices.Contains(exploitationForms, f.Exploitation) {
			return "", nil, apperr.Validation(apperr.FieldError{Field: "exploitation", Key: "error.case_exploitation"})
		}
		// The JSON array holds codes from a fixed list, so a quoted match is exact.
		where = append(where, "c.exploitation LIKE "+arg(`%"`+f.Exploitation+`"%`))
	}
	today := s.now()
	// Deadlines are the owner's (their kinds reveal risk and legal
	// matters), so the filter finds the organisation's own cases only. It
	// is checked per case while walking the list in order: collecting the
	// organisation's overdue deadlines first would read them all.
	switch f.Deadline {
	case "":
	case "overdue":
		where = append(where, "c.org_id = $1", "EXISTS (SELECT 1 FROM case_deadlines d WHERE d.case_id = c.id AND d.due_on < "+arg(today.Format(time.DateOnly))+")")
	case "week":
		where = append(where, "c.org_id = $1", "EXISTS (SELECT 1 FROM case_deadlines d WHERE d.case_id = c.id AND d.due_on <= "+arg(today.AddDate(0, 0, 7).Format(time.DateOnly))+")")
	default:
		return "", nil, apperr.Validation(apperr.FieldError{Field: "deadline", Key: "error.case_deadline_filter"})
	}
	switch {
	case f.Area == "":
	case f.Area == AreaNone:
		where = append(where, "c.area_code = ''")
	case len(f.Area) > 100:
		return "", nil, apperr.Validation(apperr.FieldError{Field: "area", Key: "error.too_long"})
	default:
		where = append(where, "c.area_code = "+arg(f.Area))
	}
	if f.Mine {
		me := arg(actor.UserID)
		where = append(where, "(c.worker_id = "+me+" OR c.id IN (SELECT m.case_id FROM case_members m WHERE m.user_id = "+me+"))")
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		if len(q) > 200 {
			return "", nil, apperr.Validation(apperr.FieldError{Field: "q", Key: "error.too_long"})
		}
		switch code := strings.ToUpper(q); {
		case looksLikeCode(code, "C"):
			where = append(where, "c.code = "+arg(code))
		case looksLikeCode(code, "G"):
			// A group code lists the linked cases of people found together.
			where = append(where, "g.code = "+arg(code))
		default:
			tokens := s.nameTokens(q)
			if len(tokens) == 0 {
				return "", nil, apperr.Validation(apperr.FieldError{Field: "q", Key: "error.case_search_short"})
			}
			// The organisation's own tokens for its own cases (the index
			// (org_id, token)); a shared case's tokens are its owner's.
			tokenOrg := "cs.org_id = $1 AND "
			if part == sharedWith || scope.Org() == "*" {
				tokenOrg = ""
			}
			if part == sharedWith {
				// A name is identity: it matches a shared case only where
				// identity was shared, else a hit would tell the partner
				// who the pseudonymous case is.
				where = append(where, `sh.categories LIKE '%"`+string(Identity)+`"%'`)
			}
			for _, tok := range tokens {
				where = append(where, "c.id IN (SELECT cs.case_id FROM case_search cs WHERE "+tokenOrg+"cs.token = "+arg(tok)+")")
			}
		}
	}
	if f.Cursor != "" {
		micros, id, ok := strings.Cut(f.Cursor, ".")
		n, err := strconv.ParseInt(micros, 10, 64)
		if !ok || err != nil || id == "" {
			return "", nil, apperr.Validation(apperr.FieldError{Field: "cursor", Key: "error.bad_cursor"})
		}
		at := arg(time.UnixMicro(n).UTC())
		where = append(where, "(c.updated_at < "+at+" OR (c.updated_at = "+at+" AND c.id < "+arg(id)+"))")
	}
	q := `SELECT ` + caseColumns + from + ` WHERE ` + strings.Join(where, " AND ") +
		` ORDER BY c.updated_at DESC, c.id DESC LIMIT ` + arg(limit)
	return q, args, nil
}

// looksLikeCode reports whether a search is a code with prefix such as
// C-7K3Q-92XD (a case) or G-7K3Q-92XD (a group).
func looksLikeCode(q, prefix string) bool {
	if len(q) != 11 || !strings.HasPrefix(q, prefix+"-") || q[6] != '-' {
		return false
	}
	for i, r := range q {
		if i == 0 || i == 1 || i == 6 {
			continue
		}
		if !strings.ContainsRune(codeAlphabet, r) {
			return false
		}
	}
	return true
}

// ByOrigin finds the case of the actor's organisation that came from a
// referral or report, if there is one (a link, not a read of the case).
func (s *Service) ByOrigin(ctx context.Context, actor access.Actor, origin, originID string) (Case, bool, error) {
	scope, err := access.Authorize(actor, access.ViewCases)
	if err != nil {
		return Case{}, false, nil
	}
	var c Case
	err = s.db.Read(ctx, func(tx *storage.Tx) error {
		var err error
		c, err = scanCase(tx.QueryRowContext(ctx, `SELECT `+caseColumns+caseFrom+`
			WHERE c.origin = $2 AND c.origin_id = $3 AND `+inScope, scope.Org(), origin, originID))
		return err
	})
	if apperr.Is(storage.MapError(err), apperr.NotFound) {
		return Case{}, false, nil
	}
	if err != nil {
		return Case{}, false, fmt.Errorf("find case of %s %s: %w", origin, originID, err)
	}
	return c, true, nil
}
