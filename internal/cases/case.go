package cases

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/audit"
	"waymark.city/waymark/internal/storage"
)

// Case is one person's case, without the identity.
type Case struct {
	ID      string
	Code    string
	OrgID   string
	OrgName string
	// GroupID and GroupCode link cases of people found together.
	GroupID   string
	GroupCode string
	// Origin is 'referral', 'report', 'direct' or 'import'; OriginID the
	// referral or report it came from.
	Origin      string
	OriginID    string
	Stage       Stage
	StageSince  time.Time
	ClosedFrom  Stage
	CloseReason string
	WorkerID    string
	Demographics
	// Place is where the person was met, as a place code of the field
	// guide (the screening's setting, a report's type of place); "" when
	// not known.
	Place string
	// AreaCode is the area of the city the case is worked in, a code of
	// the city's areas (package geo); "" when not recorded.
	AreaCode  string
	RiskLevel string
	// ReflectionStart and ReflectionEnd are YYYY-MM-DD once the reflection
	// and recovery period started.
	ReflectionStart string
	ReflectionEnd   string
	HasIdentity     bool
	CreatedBy       string
	CreatedAt       time.Time
	UpdatedAt       time.Time
	ClosedAt        *time.Time
	AnonymisedAt    *time.Time
}

// ReflectionRunning reports whether the reflection period runs on day.
func (c Case) ReflectionRunning(day time.Time) bool {
	return c.ReflectionEnd != "" && day.Format(time.DateOnly) <= c.ReflectionEnd
}

// DaysUntil counts the days from day to end (YYYY-MM-DD): 0 on the end day
// itself and after it, or when end is not a date. The reflection period's
// days left are counted with it wherever they are shown.
func DaysUntil(end string, day time.Time) int {
	e, err := parseDay(end)
	if err != nil {
		return 0
	}
	d, _ := parseDay(day.Format(time.DateOnly))
	return max(0, int(e.Sub(d).Hours()/24))
}

// caseColumns are the columns of a Case. The risk level and the reflection
// period belong to the risk and legal categories: an organisation the case
// was shared with without them sees them empty. Every query using
// caseColumns binds the scope as $1.
var caseColumns = `c.id, c.code, c.org_id, o.name, COALESCE(c.group_id, ''), COALESCE(g.code, ''), c.origin, c.origin_id,
	c.stage, c.stage_since, c.closed_from, c.close_reason, COALESCE(c.worker_id, ''), c.gender, c.age_band, c.age_estimated,
	c.child, c.majority_month, c.citizenships, c.languages, c.interpreter, c.contact_method, c.exploitation, c.place, c.area_code,
	CASE WHEN ` + sees(Risk) + ` THEN c.risk_level ELSE '' END,
	CASE WHEN ` + sees(Legal) + ` THEN c.reflection_start ELSE '' END, CASE WHEN ` + sees(Legal) + ` THEN c.reflection_end ELSE '' END,
	c.identity IS NOT NULL, c.created_by, c.created_at, c.updated_at, c.closed_at, c.anonymised_at`

// sees is the SQL condition that the scope ($1) sees category cat of case
// c: it owns the case, or accepted a share that names the category. The
// category codes are fixed identifiers, never input.
func sees(cat Category) string {
	return `($1 = '*' OR c.org_id = $1 OR c.id IN (SELECT sh.case_id FROM case_shares sh
		WHERE sh.to_org = $1 AND sh.status = 'accepted' AND sh.categories LIKE '%"` + string(cat) + `"%'))`
}

const caseFrom = ` FROM cases c JOIN organisations o ON o.id = c.org_id LEFT JOIN case_groups g ON g.id = c.group_id`

// inScope is the organisation filter of every case query: the owning
// organisation, or one the case was shared with and that accepted. $1 is
// the scope.
const inScope = `($1 = '*' OR c.org_id = $1 OR c.id IN (SELECT sh.case_id FROM case_shares sh WHERE sh.to_org = $1 AND sh.status = 'accepted'))`

type scanner interface{ Scan(dest ...any) error }

func scanCase(row scanner) (Case, error) {
	var c Case
	var estimated, child, interpreter int
	var cits, langs, expl string
	err := row.Scan(&c.ID, &c.Code, &c.OrgID, &c.OrgName, &c.GroupID, &c.GroupCode, &c.Origin, &c.OriginID,
		&c.Stage, &c.StageSince, &c.ClosedFrom, &c.CloseReason, &c.WorkerID, &c.Gender, &c.AgeBand, &estimated,
		&child, &c.MajorityMonth, &cits, &langs, &interpreter, &c.ContactMethod, &expl, &c.Place, &c.AreaCode, &c.RiskLevel,
		&c.ReflectionStart, &c.ReflectionEnd, &c.HasIdentity, &c.CreatedBy, &c.CreatedAt, &c.UpdatedAt, &c.ClosedAt, &c.AnonymisedAt)
	if err != nil {
		return Case{}, err
	}
	c.AgeEstimated, c.Child, c.Interpreter = estimated != 0, child != 0, interpreter != 0
	for _, f := range []struct {
		src string
		dst *[]string
	}{{cits, &c.Citizenships}, {langs, &c.Languages}, {expl, &c.Exploitation}} {
		if err := json.Unmarshal([]byte(f.src), f.dst); err != nil {
			return Case{}, fmt.Errorf("decode case %s: %w", c.ID, err)
		}
	}
	return c, nil
}

func jsonList[T any](v []T) string {
	if v == nil {
		v = []T{}
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// Access is what one actor may do with one case: the gate's answer.
type Access struct {
	Case Case
	// Owner is true when the actor's organisation owns the case.
	Owner bool
	// Member is true when the actor is the case's worker or on its team.
	Member bool
	// Held is true when the actor's organisation reaches the case only
	// through work given to it (ChangeHeld): it sees the profile only.
	Held bool
	// shared are the categories given to the actor's organisation by
	// accepted shares; the owner sees every category.
	shared []Category
}

// Sees reports whether the actor may see a category of the case.
func (a Access) Sees(c Category) bool {
	return a.Owner || c == Profile || c == Consent || slices.Contains(a.shared, c)
}

// Categories lists the shareable categories the actor sees.
func (a Access) Categories() []Category {
	var out []Category
	for _, c := range shareable {
		if a.Sees(c) {
			out = append(out, c)
		}
	}
	return out
}

// CaseQuery is the SQL the gate loads a case in scope with, for the
// benchmark's raw-SQL baseline.
func CaseQuery(scope access.Scope, id string) Query {
	return Query{SQL: `SELECT ` + caseColumns + caseFrom + ` WHERE c.id = $2 AND ` + inScope, Args: []any{scope.Org(), id}}
}

// loadAccess loads the case in scope and what the actor may do with it.
// lock takes the case row for update (write transactions that change it).
func loadAccess(ctx context.Context, tx *storage.Tx, actor access.Actor, scope access.Scope, id string, lock bool) (Access, error) {
	c, err := loadCase(ctx, tx, scope.Org(), id, inScope, lock)
	if err != nil {
		return Access{}, err
	}
	a := Access{Case: c, Owner: scope.Includes(c.OrgID)}
	if !a.Owner {
		rows, err := tx.QueryContext(ctx, `SELECT categories FROM case_shares
			WHERE case_id = $1 AND to_org = $2 AND status = 'accepted'`, id, actor.OrgID)
		if err != nil {
			return Access{}, fmt.Errorf("load shares of case %s: %w", id, err)
		}
		defer rows.Close()
		for rows.Next() {
			var js string
			var cats []Category
			if err := rows.Scan(&js); err != nil {
				return Access{}, fmt.Errorf("scan share of case %s: %w", id, err)
			}
			if err := json.Unmarshal([]byte(js), &cats); err != nil {
				return Access{}, fmt.Errorf("decode share of case %s: %w", id, err)
			}
			a.shared = append(a.shared, cats...)
		}
		if err := rows.Err(); err != nil {
			return Access{}, fmt.Errorf("load shares of case %s: %w", id, err)
		}
	}
	if c.WorkerID == actor.UserID {
		a.Member = true
	} else {
		var n int
		err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM case_members WHERE case_id = $1 AND user_id = $2`, id, actor.UserID).Scan(&n)
		if err != nil {
			return Access{}, fmt.Errorf("load team of case %s: %w", id, err)
		}
		a.Member = n > 0
	}
	return a, nil
}

// loadCase loads case id under condition cond (inScope, or "TRUE" for a
// partner that holds work on it), with scope org bound as $1 so that the
// risk and legal columns show only what org sees.
func loadCase(ctx context.Context, tx *storage.Tx, org, id, cond string, lock bool) (Case, error) {
	q := `SELECT ` + caseColumns + caseFrom + ` WHERE c.id = $2 AND ` + cond
	if lock && tx.Engine == storage.Postgres {
		q += " FOR UPDATE OF c"
	}
	c, err := scanCase(tx.QueryRowContext(ctx, q, org, id))
	if err != nil {
		return Case{}, fmt.Errorf("load case %s: %w", id, storage.MapError(err))
	}
	return c, nil
}

// View runs fn in a transaction once the actor may see category cat of the
// case, and audits the read (case data is personal data, so reads are
// recorded like changes). A case out of scope is NotFound; a category not
// shared with the actor's organisation is Forbidden. Both are audited.
func (s *Service) View(ctx context.Context, actor access.Actor, caseID string, cat Category, fn func(tx *storage.Tx, a Access) error) error {
	scope, err := s.authorize(ctx, actor, access.ViewCases, "case", caseID)
	if err != nil {
		return err
	}
	var refused error
	err = s.db.Write(ctx, func(tx *storage.Tx) error {
		a, err := loadAccess(ctx, tx, actor, scope, caseID, false)
		if err != nil {
			refused = err
			return err
		}
		if !a.Sees(cat) {
			refused = apperr.New(apperr.Forbidden, "error.case_category_not_shared")
			return refused
		}
		if err := s.record(ctx, tx, actor, "case.read", audit.Allowed, "case", caseID, a.Case.OrgID, string(cat)); err != nil {
			return err
		}
		return fn(tx, a)
	})
	// A refusal by the gate or by fn (the case team only, say) is audited.
	if apperr.Is(err, apperr.NotFound) || apperr.Is(err, apperr.Forbidden) {
		return s.denied(ctx, actor, "case.read", "case", caseID, err)
	}
	return err
}

// Change runs fn in a write transaction, with the case row locked, once the
// actor may perform action on category cat of the case. Only the owning
// organisation changes a case; an organisation it was shared with may take
// part in the crisis unit (conferences, tasks) if that category was shared.
// A closed case takes no changes except data-protection requests, and an
// anonymised one none at all. After fn the case's updated_at moves on.
func (s *Service) Change(ctx context.Context, actor access.Actor, action access.Action, caseID string, cat Category, fn func(tx *storage.Tx, a Access) error) error {
	return s.change(ctx, actor, action, caseID, cat, false, nil, fn)
}

// Holding reports whether the actor's organisation holds a piece of work
// on case c that is its own to change (a task given to it), inside the
// transaction of ChangeHeld.
type Holding func(tx *storage.Tx, c Case) (bool, error)

// ChangeHeld is Change for work given to a partner: a conference or the
// protocol of collaboration gives a task to an organisation that the case
// was not shared with (or not with category cat), and that organisation
// must still be able to close it. When Change's rule refuses the actor and
// holds confirms that the actor's organisation holds the work, fn runs with
// an Access that sees the profile only (Held set); everyone else gets
// exactly Change's answer.
func (s *Service) ChangeHeld(ctx context.Context, actor access.Actor, action access.Action, caseID string, cat Category, holds Holding, fn func(tx *storage.Tx, a Access) error) error {
	return s.change(ctx, actor, action, caseID, cat, false, holds, fn)
}

func (s *Service) change(ctx context.Context, actor access.Actor, action access.Action, caseID string, cat Category, reopening bool,
	holds Holding, fn func(tx *storage.Tx, a Access) error) error {
	scope, err := s.authorize(ctx, actor, action, "case", caseID)
	if err != nil {
		return err
	}
	err = s.db.Write(ctx, func(tx *storage.Tx) error {
		a, err := loadAccess(ctx, tx, actor, scope, caseID, true)
		if err == nil {
			err = a.refusal(action, cat, reopening)
		}
		if holds != nil && (apperr.Is(err, apperr.NotFound) || apperr.Is(err, apperr.Forbidden)) {
			c, lerr := loadCase(ctx, tx, scope.Org(), caseID, "TRUE", true)
			if lerr != nil {
				return lerr
			}
			held, herr := holds(tx, c)
			if herr != nil {
				return herr
			}
			if held {
				a = Access{Case: c, Held: true}
				err = a.refusal(action, cat, reopening)
			}
		}
		if err != nil {
			return err
		}
		if err := fn(tx, a); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE cases SET updated_at = $1 WHERE id = $2`, s.now(), caseID); err != nil {
			return fmt.Errorf("touch case %s: %w", caseID, err)
		}
		return nil
	})
	if apperr.Is(err, apperr.NotFound) || apperr.Is(err, apperr.Forbidden) {
		return s.denied(ctx, actor, string(action), "case", caseID, err)
	}
	return err
}

// MayChange reports whether actor may change category cat of the case with
// action: the rule Change applies, so that pages offer a form only where
// it would be taken.
func (a Access) MayChange(actor access.Actor, action access.Action, cat Category) bool {
	return access.Can(actor, action) && a.refusal(action, cat, false) == nil
}

// refusal is why a change of category cat with action is refused, or nil.
// Only the owning organisation changes a case; an organisation it was
// shared with may take part in the crisis unit if that category was shared.
// A closed case takes no changes except data-protection requests (and the
// re-opening itself), an anonymised one none at all.
func (a Access) refusal(action access.Action, cat Category, reopening bool) error {
	switch {
	case a.Held && (cat != CrisisUnit || action != access.ManageCrisisUnit):
		return apperr.New(apperr.Forbidden, "error.case_category_not_shared")
	case !a.Held && !a.Sees(cat):
		return apperr.New(apperr.Forbidden, "error.case_category_not_shared")
	case !a.Held && !a.Owner && !(action == access.ManageCrisisUnit && cat == CrisisUnit):
		return apperr.New(apperr.Forbidden, "error.case_not_owner")
	case a.Case.AnonymisedAt != nil:
		return apperr.New(apperr.Conflict, "error.case_anonymised")
	case a.Case.Stage == Closed && !reopening && action != access.ExportCase:
		return apperr.New(apperr.Conflict, "error.case_closed")
	}
	return nil
}

// Get returns the case (without identity) after an audited read.
func (s *Service) Get(ctx context.Context, actor access.Actor, caseID string) (Access, error) {
	var out Access
	err := s.View(ctx, actor, caseID, Profile, func(tx *storage.Tx, a Access) error {
		out = a
		return nil
	})
	return out, err
}

// Event is one entry of a case's timeline.
type Event struct {
	ID       string
	CaseID   string
	Kind     string
	Category Category
	// RefID is the record the event is about (a task, an assessment, …).
	RefID string
	// Detail is codes only, never free text about the person.
	Detail  string
	ActorID string
	At      time.Time
	// HasBody is true for a note; its text is read with Note.
	HasBody       bool
	HasAttachment bool
}

// Log appends an event to the case's timeline and the matching audit entry
// ("case.<kind>") in the caller's transaction. Capabilities built on cases
// call it for every change they make inside Change.
func (s *Service) Log(ctx context.Context, tx *storage.Tx, actor access.Actor, c Case, e Event) error {
	if e.Kind == "" || e.Category == "" {
		return fmt.Errorf("log event on case %s: kind and category are required", c.ID)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO case_events (id, case_id, org_id, kind, category, ref_id, detail, actor_id, at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		newID(), c.ID, c.OrgID, e.Kind, string(e.Category), e.RefID, e.Detail, storage.NullString(actor.UserID), s.now())
	if err != nil {
		return fmt.Errorf("log %s on case %s: %w", e.Kind, c.ID, err)
	}
	return s.record(ctx, tx, actor, "case."+e.Kind, audit.Allowed, "case", c.ID, c.OrgID, e.Detail)
}
