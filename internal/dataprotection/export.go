package dataprotection

import (
	"context"
	"fmt"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/storage"
)

// PersonalData is everything Waymark holds about the person of one case,
// decrypted, for the person (GDPR art. 15, right of access, and art. 20,
// portability). It encodes as the machine-readable export; the printable
// page shows the same data.
type PersonalData struct {
	Format      string    `json:"format"`
	GeneratedAt time.Time `json:"generated_at"`
	Case        CaseFacts `json:"case"`
	// Identity is the decrypted identity (name, birth date, contact).
	Identity     cases.Person     `json:"identity"`
	Demographics Demographics     `json:"demographics"`
	History      []StageChange    `json:"lifecycle"`
	Consents     []Consent        `json:"consents"`
	Timeline     []TimelineEntry  `json:"timeline"`
	Erasure      []ErasureRequest `json:"erasure_requests"`
	Holds        []Hold           `json:"legal_holds"`
	// Sections are the other capabilities' records, by section name.
	Sections map[string]any `json:"sections"`
}

// ExportFormat names the layout of the machine-readable export.
const ExportFormat = "waymark.personal-data/1"

// CaseFacts is the case itself.
type CaseFacts struct {
	Code            string     `json:"code"`
	Organisation    string     `json:"organisation"`
	Origin          string     `json:"origin"`
	Stage           string     `json:"stage"`
	OpenedAt        time.Time  `json:"opened_at"`
	ClosedAt        *time.Time `json:"closed_at,omitempty"`
	CloseReason     string     `json:"close_reason,omitempty"`
	ReflectionStart string     `json:"reflection_start,omitempty"`
	ReflectionEnd   string     `json:"reflection_end,omitempty"`
}

// Demographics are the codes the case keeps about the person.
type Demographics struct {
	Gender        string   `json:"gender"`
	AgeBand       string   `json:"age_band"`
	AgeEstimated  bool     `json:"age_estimated"`
	Child         bool     `json:"child"`
	Citizenships  []string `json:"citizenships"`
	Languages     []string `json:"languages"`
	Interpreter   bool     `json:"interpreter"`
	ContactMethod string   `json:"contact_method"`
	Exploitation  []string `json:"exploitation"`
}

// StageChange is one step of the lifecycle.
type StageChange struct {
	From   string    `json:"from,omitempty"`
	To     string    `json:"to"`
	Reason string    `json:"reason,omitempty"`
	At     time.Time `json:"at"`
}

// Consent is one informed consent.
type Consent struct {
	Purposes      []string `json:"purposes"`
	Organisations []string `json:"organisations"`
	Categories    []string `json:"categories"`
	Language      string   `json:"language"`
	Interpreter   bool     `json:"interpreter"`
	Method        string   `json:"method"`
	GivenBy       string   `json:"given_by"`
	GivenOn       string   `json:"given_on"`
	WithdrawnOn   string   `json:"withdrawn_on,omitempty"`
}

// TimelineEntry is one event of the case, with a note's text.
type TimelineEntry struct {
	At       time.Time `json:"at"`
	Kind     string    `json:"kind"`
	Category string    `json:"category"`
	Detail   string    `json:"detail,omitempty"`
	Note     string    `json:"note,omitempty"`
}

// ExportPersonalData gathers the person's data of a case. It reveals the
// identity, so only the case team of the owning organisation may, after a
// recent step-up; the export is recorded on the timeline and audited.
func (s *Service) ExportPersonalData(ctx context.Context, actor access.Actor, caseID string) (PersonalData, error) {
	if !actor.SteppedUp {
		if _, err := s.cases.Authorize(ctx, actor, access.ExportCase, "case", caseID); err != nil {
			return PersonalData{}, err
		}
		return PersonalData{}, apperr.New(apperr.StepUp, "error.step_up")
	}
	var out PersonalData
	err := s.cases.Change(ctx, actor, access.ExportCase, caseID, cases.Identity, func(tx *storage.Tx, a cases.Access) error {
		if !a.Member {
			return apperr.New(apperr.Forbidden, "error.case_not_member")
		}
		var err error
		if out, err = s.personalData(ctx, tx, a); err != nil {
			return err
		}
		return s.cases.Log(ctx, tx, actor, a.Case, cases.Event{Kind: "data_exported", Category: cases.Profile, Detail: "personal_data"})
	})
	return out, err
}

func (s *Service) personalData(ctx context.Context, tx *storage.Tx, a cases.Access) (PersonalData, error) {
	c := a.Case
	out := PersonalData{Format: ExportFormat, GeneratedAt: s.cases.Now(), Sections: map[string]any{},
		Case: CaseFacts{Code: c.Code, Organisation: c.OrgName, Origin: c.Origin, Stage: string(c.Stage), OpenedAt: c.CreatedAt,
			ClosedAt: c.ClosedAt, CloseReason: c.CloseReason, ReflectionStart: c.ReflectionStart, ReflectionEnd: c.ReflectionEnd},
		Demographics: Demographics{Gender: c.Gender, AgeBand: c.AgeBand, AgeEstimated: c.AgeEstimated, Child: c.Child,
			Citizenships: nonNil(c.Citizenships), Languages: nonNil(c.Languages), Interpreter: c.Interpreter,
			ContactMethod: c.ContactMethod, Exploitation: nonNil(c.Exploitation)},
		History: []StageChange{}, Consents: []Consent{}, Timeline: []TimelineEntry{},
	}
	var err error
	if out.Identity, err = s.cases.PersonIn(ctx, tx, c); err != nil {
		return PersonalData{}, err
	}
	history, err := cases.History(ctx, tx, c.ID)
	if err != nil {
		return PersonalData{}, err
	}
	for _, h := range history {
		out.History = append(out.History, StageChange{From: string(h.From), To: string(h.To), Reason: h.Reason, At: h.At})
	}
	consents, err := cases.Consents(ctx, tx, c.ID)
	if err != nil {
		return PersonalData{}, err
	}
	orgNames, err := organisationNames(ctx, tx)
	if err != nil {
		return PersonalData{}, err
	}
	for _, k := range consents {
		e := Consent{Purposes: nonNil(k.Purposes), Organisations: []string{}, Categories: []string{}, Language: k.Language,
			Interpreter: k.Interpreter, Method: k.Method, GivenBy: k.GivenBy, GivenOn: k.GivenOn, WithdrawnOn: k.WithdrawnOn}
		for _, o := range k.Orgs {
			e.Organisations = append(e.Organisations, orgNames[o])
		}
		for _, cat := range k.Categories {
			e.Categories = append(e.Categories, string(cat))
		}
		out.Consents = append(out.Consents, e)
	}
	if out.Timeline, err = s.timeline(ctx, tx, c.ID); err != nil {
		return PersonalData{}, err
	}
	if out.Erasure, err = loadRequests(ctx, tx, c.ID); err != nil {
		return PersonalData{}, err
	}
	if out.Holds, err = loadHolds(ctx, tx, c.ID); err != nil {
		return PersonalData{}, err
	}
	for _, sec := range s.sections {
		v, err := sec.Export(ctx, tx, a)
		if err != nil {
			return PersonalData{}, fmt.Errorf("export %s of case %s: %w", sec.Name, c.ID, err)
		}
		out.Sections[sec.Name] = v
	}
	return out, nil
}

// timeline reads every event of the case, oldest first, with the notes
// decrypted: the export must be complete, so it has no page limit.
func (s *Service) timeline(ctx context.Context, tx *storage.Tx, caseID string) ([]TimelineEntry, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, kind, category, detail, at, body FROM case_events WHERE case_id = $1 ORDER BY at, id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("load timeline of case %s: %w", caseID, err)
	}
	type sealed struct {
		id   string
		e    TimelineEntry
		body []byte
	}
	var list []sealed
	for rows.Next() {
		var x sealed
		if err := rows.Scan(&x.id, &x.e.Kind, &x.e.Category, &x.e.Detail, &x.e.At, &x.body); err != nil {
			rows.Close()
			return nil, fmt.Errorf("scan timeline of case %s: %w", caseID, err)
		}
		list = append(list, x)
	}
	if err := rows.Err(); err != nil {
		rows.Close()
		return nil, fmt.Errorf("load timeline of case %s: %w", caseID, err)
	}
	rows.Close()
	out := make([]TimelineEntry, 0, len(list))
	for _, x := range list {
		if x.body != nil {
			plain, err := s.cases.Vault().Open(ctx, tx, cases.Record(caseID), "note/"+x.id, x.body)
			if err != nil {
				return nil, fmt.Errorf("open note %s: %w", x.id, err)
			}
			x.e.Note = string(plain)
		}
		out = append(out, x.e)
	}
	return out, nil
}

func organisationNames(ctx context.Context, tx *storage.Tx) (map[string]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, name FROM organisations`)
	if err != nil {
		return nil, fmt.Errorf("load organisations: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, fmt.Errorf("scan organisation: %w", err)
		}
		out[id] = name
	}
	return out, rows.Err()
}

func nonNil(v []string) []string {
	if v == nil {
		return []string{}
	}
	return v
}
