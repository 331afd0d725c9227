package cases

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/storage"
)

// Origins of a case.
const (
	FromReferral = "referral"
	FromReport   = "report"
	Direct       = "direct"
	Imported     = "import"
)

// NewCase is what opens a case.
type NewCase struct {
	Person PersonInput
	// Origin and OriginID name the referral or report the case comes from;
	// Direct for a person who came to the organisation.
	Origin   string
	OriginID string
	// Stage is where the case starts (first contact by default).
	Stage Stage
	// GroupID links the case to other cases of people found together;
	// NewGroup starts such a group with this case.
	GroupID  string
	NewGroup bool
	// WorkerID is the responsible case worker; the actor by default when
	// they work on cases.
	WorkerID string
	// OrgID is the organisation that holds the case: the actor's by
	// default. Only a role that cannot see cases (a hotline operator) opens
	// one for another organisation, the one it hands the person on to.
	OrgID string
	// Consent is the person's consent given when the case opens (a report
	// turned into a case); it becomes the case's first consent record.
	Consent *OpeningConsent
	// LegalBasis is why a case opens without the person's consent (one of
	// LegalBases); it is recorded on the timeline and audited.
	LegalBasis string
	// Place is where the person was met, as a place code of the field
	// guide; "" when not known.
	Place string
}

// OpeningConsent is the consent a person gave to whoever opened the case:
// for case management by the organisation that holds it, given by the
// person. Language and method are as far as the opener knows them.
type OpeningConsent struct {
	// Language is a BCP 47 tag; its primary language subtag is kept, and
	// a tag that names no language ("other", "") is kept as unknown.
	Language string
	Method   string // one of ConsentMethods
}

// Legal bases of a case opened without the person's consent.
const (
	BasisImmediateDanger = "immediate_danger" // the person is in danger now
	BasisChildProtection = "child_protection" // a child's protection does not wait for consent
)

var legalBases = []string{BasisImmediateDanger, BasisChildProtection}

// LegalBases lists the legal bases for opening a case without consent.
func LegalBases() []string { return slices.Clone(legalBases) }

// Open opens a case in the actor's organisation.
func (s *Service) Open(ctx context.Context, actor access.Actor, in NewCase) (Case, error) {
	if _, err := s.authorize(ctx, actor, access.OpenCase, "case", ""); err != nil {
		return Case{}, err
	}
	var c Case
	err := s.db.Write(ctx, func(tx *storage.Tx) error {
		var err error
		c, err = s.OpenIn(ctx, tx, actor, in)
		return err
	})
	return c, err
}

// OpenIn opens a case inside the caller's transaction: accepting a referral
// or turning a report into a case opens one in the same transaction. If a
// case already came from the same referral or report, OpenIn returns it.
// The caller has authorised its own action; OpenIn checks the role may
// open cases at all and refuses otherwise without auditing (the caller's
// transaction fails as a whole).
//
// Whatever the way in, the case must end up where someone can work on it:
// the organisation that holds it needs an active account that may see and
// manage cases (see HoldsCases), or OpenIn refuses.
func (s *Service) OpenIn(ctx context.Context, tx *storage.Tx, actor access.Actor, in NewCase) (Case, error) {
	if _, err := access.Authorize(actor, access.OpenCase); err != nil {
		return Case{}, err
	}
	owner := actor.OrgID
	if in.OrgID != "" && in.OrgID != owner {
		// Whoever sees cases keeps what they open; handing a case on is a
		// transfer, which needs the person's consent.
		if access.Can(actor, access.ViewCases) {
			return Case{}, apperr.New(apperr.Forbidden, "error.forbidden")
		}
		owner = in.OrgID
	}
	if err := checkOpening(in); err != nil {
		return Case{}, err
	}
	if in.Origin == "" {
		in.Origin = Direct
	}
	if !slices.Contains([]string{FromReferral, FromReport, Direct, Imported}, in.Origin) {
		return Case{}, fmt.Errorf("open case: unknown origin %q", in.Origin)
	}
	if in.Origin == FromReferral || in.Origin == FromReport {
		var id string
		err := tx.QueryRowContext(ctx, `SELECT id FROM cases WHERE origin = $1 AND origin_id = $2 AND org_id = $3`,
			in.Origin, in.OriginID, owner).Scan(&id)
		if err == nil {
			return getCase(ctx, tx, access.SystemScope(), id)
		}
		if !apperr.Is(storage.MapError(err), apperr.NotFound) {
			return Case{}, fmt.Errorf("find case of %s %s: %w", in.Origin, in.OriginID, err)
		}
	}
	if in.Stage == "" {
		in.Stage = FirstContact
	}
	if !in.Stage.Valid() || in.Stage == Closed {
		return Case{}, apperr.Validation(apperr.FieldError{Field: "stage", Key: "error.case_stage_unknown"})
	}
	holds, err := HoldsCases(ctx, tx, owner)
	if err != nil {
		return Case{}, err
	}
	if !holds {
		return Case{}, apperr.Validation(apperr.FieldError{Field: "case_org", Key: "error.case_org_cannot_hold"})
	}
	in.Person.Normalise()
	now := s.now()
	demo, err := in.Person.Demographics(now)
	if err != nil {
		return Case{}, err
	}
	if in.WorkerID == "" && owner == actor.OrgID && access.ReachOf(actor.Role, access.ManageCases) != access.None {
		in.WorkerID = actor.UserID
	}
	if in.WorkerID != "" {
		if err := checkWorker(ctx, tx, owner, in.WorkerID); err != nil {
			return Case{}, err
		}
	}
	c := Case{ID: newID(), Code: newCode("C"), OrgID: owner, Origin: in.Origin, OriginID: in.OriginID,
		Stage: in.Stage, StageSince: now, WorkerID: in.WorkerID, Demographics: demo, Place: in.Place, CreatedBy: actor.UserID,
		CreatedAt: now, UpdatedAt: now}
	if in.NewGroup {
		c.GroupID, c.GroupCode = newID(), newCode("G")
		if _, err := tx.ExecContext(ctx, `INSERT INTO case_groups (id, org_id, code, created_by, created_at) VALUES ($1, $2, $3, $4, $5)`,
			c.GroupID, c.OrgID, c.GroupCode, actor.UserID, now); err != nil {
			return Case{}, fmt.Errorf("create case group: %w", err)
		}
	} else if in.GroupID != "" {
		err := tx.QueryRowContext(ctx, `SELECT code FROM case_groups WHERE id = $1 AND org_id = $2`, in.GroupID, owner).Scan(&c.GroupCode)
		if err != nil {
			return Case{}, apperr.Validation(apperr.FieldError{Field: "group", Key: "error.case_group_unknown"})
		}
		c.GroupID = in.GroupID
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO cases (id, code, org_id, group_id, origin, origin_id, stage, stage_since, worker_id,
			gender, age_band, age_estimated, child, majority_month, citizenships, languages, interpreter, contact_method,
			exploitation, place, created_by, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $22)`,
		c.ID, c.Code, c.OrgID, storage.NullString(c.GroupID), c.Origin, c.OriginID, string(c.Stage), now, storage.NullString(c.WorkerID),
		demo.Gender, demo.AgeBand, storage.Flag(demo.AgeEstimated), storage.Flag(demo.Child), demo.MajorityMonth,
		jsonList(demo.Citizenships), jsonList(demo.Languages), storage.Flag(demo.Interpreter), demo.ContactMethod,
		jsonList(demo.Exploitation), c.Place, actor.UserID, now)
	if err != nil {
		return Case{}, fmt.Errorf("insert case: %w", storage.MapError(err))
	}
	if err := s.sealPerson(ctx, tx, c.ID, c.OrgID, in.Person.Person); err != nil {
		return Case{}, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO case_stages (id, case_id, from_stage, to_stage, moved_by, moved_at)
		VALUES ($1, $2, '', $3, $4, $5)`, newID(), c.ID, string(c.Stage), actor.UserID, now); err != nil {
		return Case{}, fmt.Errorf("record first stage of case %s: %w", c.ID, err)
	}
	if err := s.setMajorityDeadline(ctx, tx, c); err != nil {
		return Case{}, err
	}
	if err := s.Log(ctx, tx, actor, c, Event{Kind: "open", Category: Profile, RefID: c.OriginID, Detail: c.Origin}); err != nil {
		return Case{}, err
	}
	if err := s.recordOpeningConsent(ctx, tx, actor, c, in); err != nil {
		return Case{}, err
	}
	// The case may belong to another organisation than the actor's: it was
	// just inserted, so it is loaded by id alone.
	opened, err := getCase(ctx, tx, access.SystemScope(), c.ID)
	if err != nil {
		return Case{}, err
	}
	// Opening at a stage is entering it: the hooks of a stage move run as
	// for a move from no stage, so the protocol of collaboration's tasks for
	// the opening stage are there from the start.
	for _, h := range s.moveHooks {
		if err := h(ctx, tx, actor, opened, ""); err != nil {
			return Case{}, err
		}
	}
	return opened, nil
}

// checkOpening validates the consent or legal basis a case opens with.
func checkOpening(in NewCase) error {
	if in.LegalBasis != "" && !slices.Contains(legalBases, in.LegalBasis) {
		return apperr.Validation(apperr.FieldError{Field: "legal_basis", Key: "error.case_legal_basis_unknown"})
	}
	if k := in.Consent; k != nil {
		if !slices.Contains(consentMethods, k.Method) {
			return apperr.Validation(apperr.FieldError{Field: "consent_method", Key: "error.consent_method"})
		}
	}
	return nil
}

// recordOpeningConsent records the consent the case opened with, or the
// legal basis it opened on without one.
func (s *Service) recordOpeningConsent(ctx context.Context, tx *storage.Tx, actor access.Actor, c Case, in NewCase) error {
	if k := in.Consent; k != nil {
		// Given by the person themselves: for a child it stands as the
		// child's own agreement, and CheckConsent still asks for the
		// guardian's before anything is shared.
		lang, _, _ := strings.Cut(strings.ToLower(k.Language), "-")
		if !languageCode.MatchString(lang) {
			lang = ""
		}
		return s.insertConsent(ctx, tx, actor, c, ConsentRecord{ID: newID(), CaseID: c.ID,
			Purposes: []string{PurposeCaseManagement}, Orgs: []string{c.OrgID}, Language: lang, Method: k.Method,
			GivenBy: "person", GivenOn: s.now().Format(time.DateOnly), RecordedBy: actor.UserID, RecordedAt: s.now()})
	}
	if in.LegalBasis != "" {
		return s.Log(ctx, tx, actor, c, Event{Kind: "legal_basis_" + in.LegalBasis, Category: Consent, Detail: in.LegalBasis})
	}
	return nil
}

// holderRoles are the roles that may see and work on cases: an
// organisation holds cases only when it has an active account of one.
func holderRoles() []string {
	var out []string
	for _, r := range access.Roles {
		if access.ReachOf(r, access.ViewCases) != access.None && access.ReachOf(r, access.ManageCases) != access.None {
			out = append(out, string(r))
		}
	}
	return out
}

// HoldsCases reports whether orgID is an active organisation with an active
// account that may see and manage cases, so that a case it holds is never
// out of everyone's sight.
func HoldsCases(ctx context.Context, tx *storage.Tx, orgID string) (bool, error) {
	ph, args := storage.InList(2, holderRoles())
	var n int
	err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM organisations o WHERE o.id = $1 AND o.disabled_at IS NULL
		AND EXISTS (SELECT 1 FROM users u WHERE u.org_id = o.id AND u.disabled_at IS NULL AND u.role IN (`+ph+`))`,
		append([]any{orgID}, args...)...).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("check organisation %s holds cases: %w", orgID, err)
	}
	return n > 0, nil
}

// Holders lists the ids of the organisations that can hold cases (see
// HoldsCases), for an operator who picks where a case goes. Which partners
// work on cases is no secret within the partnership.
func (s *Service) Holders(ctx context.Context) ([]string, error) {
	var out []string
	err := s.db.Read(ctx, func(tx *storage.Tx) error {
		ph, args := storage.InList(1, holderRoles())
		rows, err := tx.QueryContext(ctx, `SELECT o.id FROM organisations o WHERE o.disabled_at IS NULL
			AND EXISTS (SELECT 1 FROM users u WHERE u.org_id = o.id AND u.disabled_at IS NULL AND u.role IN (`+ph+`))
			ORDER BY o.id`, args...)
		if err != nil {
			return fmt.Errorf("list organisations holding cases: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				return fmt.Errorf("list organisations holding cases: %w", err)
			}
			out = append(out, id)
		}
		return rows.Err()
	})
	return out, err
}

// getCase loads a case in scope without an audit entry, for use inside a
// transaction that audits its own action.
func getCase(ctx context.Context, tx *storage.Tx, scope access.Scope, id string) (Case, error) {
	c, err := scanCase(tx.QueryRowContext(ctx, `SELECT `+caseColumns+caseFrom+` WHERE c.id = $2 AND `+inScope, scope.Org(), id))
	if err != nil {
		return Case{}, fmt.Errorf("load case %s: %w", id, storage.MapError(err))
	}
	return c, nil
}

// checkWorker refuses a worker who is not an active case worker or
// coordinator of the organisation.
func checkWorker(ctx context.Context, tx *storage.Tx, orgID, userID string) error {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE id = $1 AND org_id = $2 AND disabled_at IS NULL
		AND role IN ('case_worker', 'coordinator')`, userID, orgID).Scan(&n)
	if err != nil {
		return fmt.Errorf("check worker %s: %w", userID, err)
	}
	if n == 0 {
		return apperr.Validation(apperr.FieldError{Field: "worker", Key: "error.case_worker_unknown"})
	}
	return nil
}

// sealPerson encrypts the identity into the case row and replaces the name
// search tokens.
func (s *Service) sealPerson(ctx context.Context, tx *storage.Tx, caseID, orgID string, p Person) error {
	plain, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("encode identity of case %s: %w", caseID, err)
	}
	sealed, err := s.vault.Seal(ctx, tx, Record(caseID), "identity", plain)
	if err != nil {
		return fmt.Errorf("seal identity of case %s: %w", caseID, err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE cases SET identity = $1 WHERE id = $2`, sealed, caseID); err != nil {
		return fmt.Errorf("store identity of case %s: %w", caseID, err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM case_search WHERE case_id = $1`, caseID); err != nil {
		return fmt.Errorf("clear search tokens of case %s: %w", caseID, err)
	}
	names := append([]string{p.GivenNames, p.FamilyName}, p.Aliases...)
	for _, tok := range s.nameTokens(strings.Join(names, " ")) {
		if _, err := tx.ExecContext(ctx, `INSERT INTO case_search (case_id, token, org_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, caseID, tok, orgID); err != nil {
			return fmt.Errorf("store search token of case %s: %w", caseID, err)
		}
	}
	return nil
}

// nameTokens turns names into blind-index tokens: each word, lower-cased
// and without diacritics, so "Marija Kovačević" is found by "kovacevic".
func (s *Service) nameTokens(names string) [][]byte {
	var out [][]byte
	seen := map[string]bool{}
	for w := range strings.FieldsFuncSeq(foldName(names), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if len([]rune(w)) < 2 || seen[w] {
			continue
		}
		seen[w] = true
		out = append(out, s.vault.BlindIndex("case-name", []byte(w)))
	}
	return out
}

func foldName(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToLower(s)) {
		if !unicode.Is(unicode.Mn, r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// setMajorityDeadline registers, for a child, the transition at 18 with a
// reminder six months ahead so that aftercare is planned in time.
func (s *Service) setMajorityDeadline(ctx context.Context, tx *storage.Tx, c Case) error {
	if !c.Child || c.MajorityMonth == "" {
		return s.ClearDeadline(ctx, tx, "turning_18", c.ID)
	}
	due, err := parseDay(c.MajorityMonth)
	if err != nil {
		return fmt.Errorf("majority month of case %s: %w", c.ID, err)
	}
	return s.SetDeadline(ctx, tx, c, Deadline{Kind: "turning_18", RefID: c.ID, Due: due, RemindOn: due.AddDate(0, -6, 0)})
}
