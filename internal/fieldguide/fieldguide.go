// Package fieldguide is the local adaptation of the field guide: the
// places and signs a coordinator adds for the local situation, and marks on
// catalogue questions that matter locally (indicators "adapted to the local
// situation"). The indicator catalogue stays as it is shipped; local
// additions are kept beside it, in the database, so a city adapts its guide
// without a new release and without touching the screening rules.
//
// # Versions
//
// Every change is a new version, numbered per installation (1, 2, 3, …,
// without gaps): an append-only row naming the item, what happened to it
// (added, changed, retired), who did it for which organisation, when, the
// source it rests on (a citation is required) and why. Nothing is updated or
// deleted. The current local set is the latest version of each item that is
// not retired, and Local.Version is the newest version number, so a
// screening can record which local set it was shown with.
//
// # Signs never change the rules silently
//
// A local sign may name one catalogue question. Only then does it count,
// and only through that question: a yes to the sign is a yes to the
// question, weighed by the catalogue's own rules. A sign without a question
// is shown and can be recorded, but never counts towards any outcome. A sign
// whose question a later catalogue no longer has stops counting, and says so
// (Sign.Counts), rather than counting for something else.
//
// # Access
//
// Only roles allowed access.ManageLocalGuide (coordinator, administrator)
// change the local set; every change and every refusal is in the audit log,
// the change in the same transaction. Reading the current set needs no
// permission of its own: it is shown wherever the field guide is, to every
// role that may open the guide.
package fieldguide

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/audit"
	"waymark.city/waymark/internal/screening"
	"waymark.city/waymark/internal/storage"
)

// Kind is what a local item is.
type Kind string

const (
	KindPlace Kind = "place" // a local place: where to look, what to look for
	KindSign  Kind = "sign"  // a local sign, optionally counted through one catalogue question
	KindMark  Kind = "mark"  // a catalogue question marked as locally relevant
)

// Kinds lists the kinds in display order.
func Kinds() []Kind { return []Kind{KindPlace, KindSign, KindMark} }

// Action is what a version did to its item.
type Action string

const (
	Added   Action = "add"
	Changed Action = "change"
	Retired Action = "retire"
)

// languages are the languages a local text can be given in: those of the
// staff pages. Each text is optional per language (see Localized.In).
var languages = []string{"en", "de"}

// Languages lists the languages of local texts.
func Languages() []string { return append([]string(nil), languages...) }

// Localized is a text by language; a language without the text is missing
// or "".
type Localized map[string]string

// In returns the text in lang and the language it is in: lang when the text
// is given there, else the first language that has it, so an addition
// written only in German still shows on an English page (marked as German).
func (l Localized) In(lang string) (text, in string) {
	if t := l[lang]; t != "" {
		return t, lang
	}
	for _, other := range languages {
		if t := l[other]; t != "" {
			return t, other
		}
	}
	return "", lang
}

// Source is one version as a citation: who changed the item, for which
// organisation, when, on what source and why.
type Source struct {
	Version  int
	Action   Action
	At       time.Time
	UserID   string
	Username string
	OrgID    string
	OrgName  string
	Citation string
	Reason   string
	// CatalogueVersion is the indicator catalogue the change was checked
	// against.
	CatalogueVersion string
}

// PlaceText is what a local place says.
type PlaceText struct {
	Name  Localized
	Where Localized
	// LookFor are the signs to look for there, by language, one per entry.
	LookFor map[string][]string
	// Area is the part of town or the organisation's area the place is
	// about; "" if none.
	Area string
}

// Place is a current local place.
type Place struct {
	ID string
	PlaceText
	// Added is the version that added the place, Latest the newest one
	// (the same when it was never changed).
	Added, Latest Source
}

// SignText is what a local sign says and where it counts.
type SignText struct {
	Label Localized
	// Hint is how to ask about the sign or what to look for.
	Hint Localized
	// QuestionID is the one catalogue question the sign counts through;
	// "" for a sign that is shown and recorded but never counts.
	QuestionID string
	// PlaceID is the catalogue location or local place the sign belongs
	// to; "" when it belongs to no one place.
	PlaceID string
}

// Sign is a current local sign.
type Sign struct {
	ID string
	SignText
	// Counts is true when the sign's question is a question of the current
	// catalogue: only then does a yes to the sign count, through it.
	Counts bool
	Added  Source
	Latest Source
}

// Mark is a catalogue question marked as locally relevant.
type Mark struct {
	QuestionID string
	// Reason is why the question matters locally (the latest version's).
	Reason string
	// Known is false when the current catalogue no longer has the question.
	Known  bool
	Added  Source
	Latest Source
}

// Local is the current local set.
type Local struct {
	// Version is the newest version number; 0 when nothing was ever added.
	Version int
	// Places, Signs and Marks are in the order they were added.
	Places []Place
	Signs  []Sign
	Marks  []Mark
}

// Place returns the current local place with the given id.
func (l Local) Place(id string) (Place, bool) {
	i := slices.IndexFunc(l.Places, func(p Place) bool { return p.ID == id })
	if i < 0 {
		return Place{}, false
	}
	return l.Places[i], true
}

// Sign returns the current local sign with the given id.
func (l Local) Sign(id string) (Sign, bool) {
	i := slices.IndexFunc(l.Signs, func(s Sign) bool { return s.ID == id })
	if i < 0 {
		return Sign{}, false
	}
	return l.Signs[i], true
}

// Mark returns the mark on a catalogue question, if it is marked.
func (l Local) Mark(questionID string) (Mark, bool) {
	i := slices.IndexFunc(l.Marks, func(m Mark) bool { return m.QuestionID == questionID })
	if i < 0 {
		return Mark{}, false
	}
	return l.Marks[i], true
}

// SignsAt lists the signs that belong at a place: those placed there and
// those that count through one of the questions asked there.
func (l Local) SignsAt(placeID string, questionIDs []string) []Sign {
	var out []Sign
	for _, s := range l.Signs {
		if s.PlaceID == placeID || (s.QuestionID != "" && slices.Contains(questionIDs, s.QuestionID)) {
			out = append(out, s)
		}
	}
	return out
}

// Revision is one version in the history: its source, the item, and what
// the item said after it (for a retirement: what it said before, so the
// history names what was retired).
type Revision struct {
	Source
	Kind   Kind
	ItemID string
	// Place is set for a place, Sign for a sign; a mark's content is its
	// item id (the question) and Source.Reason.
	Place *PlaceText
	Sign  *SignText
}

// Service is the local field guide capability.
type Service struct {
	db        *storage.DB
	audit     *audit.Log
	catalogue *screening.Catalogue
	now       func() time.Time
}

// Deps are what the service needs.
type Deps struct {
	DB    *storage.DB
	Audit *audit.Log
	// Catalogue is the newest indicator catalogue: the questions signs and
	// marks may name, and the places signs may belong to.
	Catalogue *screening.Catalogue
	// Now defaults to storage.Now; tests pass a fixed clock.
	Now func() time.Time
}

// New returns the service.
func New(d Deps) *Service {
	s := &Service{db: d.DB, audit: d.Audit, catalogue: d.Catalogue, now: d.Now}
	if s.now == nil {
		s.now = storage.Now
	}
	return s
}

// Catalogue is the indicator catalogue local items are checked against.
func (s *Service) Catalogue() *screening.Catalogue { return s.catalogue }

func newID() string { return uuid.Must(uuid.NewV7()).String() }

// subjectType is an item's subject type in the audit log.
func subjectType(k Kind) string { return "fieldguide_" + string(k) }

// authorize asks the policy whether actor may manage the local set and
// audits a refusal, naming what was asked for.
func (s *Service) authorize(ctx context.Context, actor access.Actor, subject, id string) error {
	if _, err := access.Authorize(actor, access.ManageLocalGuide); err != nil {
		return s.audit.Refused(ctx, s.db, audit.Entry{ActorUserID: actor.UserID, ActorOrgID: actor.OrgID,
			Action: string(access.ManageLocalGuide), SubjectType: subject, SubjectID: id}, err)
	}
	return nil
}

// record appends the audit entry of a version inside its transaction. The
// detail is the version number only: citations and reasons are free text
// and stay out of the log that can never be edited.
func (s *Service) record(ctx context.Context, tx *storage.Tx, actor access.Actor, k Kind, id string, a Action, version int) error {
	_, err := s.audit.Append(ctx, tx, audit.Entry{
		ActorUserID: actor.UserID, ActorOrgID: actor.OrgID, Action: "fieldguide." + string(a), Outcome: audit.Done,
		SubjectType: subjectType(k), SubjectID: id, SubjectOrgID: actor.OrgID, Detail: "version=" + strconv.Itoa(version),
	})
	return err
}

// lines splits a stored look-for text into its entries.
func lines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}
