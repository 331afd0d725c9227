package fieldguide

import (
	"context"
	"fmt"
	"strings"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/storage"
)

// logQuery reads the whole version log in order, each version with what it
// left its item saying (nothing for a retirement) and the names of who made
// it. The log is small — every row is a coordinator's cited decision — so it
// is read whole and folded in Go: "the latest version of each item" then
// lives in one place (fold) for the current set and the history alike.
const logQuery = `SELECT v.version, v.kind, v.item_id, v.action, v.created_at, v.user_id, u.username, v.org_id, o.name,
	v.citation, v.reason, v.catalogue_version,
	COALESCE(p.name_en, ''), COALESCE(p.name_de, ''), COALESCE(p.where_en, ''), COALESCE(p.where_de, ''),
	COALESCE(p.look_for_en, ''), COALESCE(p.look_for_de, ''), COALESCE(p.area, ''),
	COALESCE(s.label_en, ''), COALESCE(s.label_de, ''), COALESCE(s.hint_en, ''), COALESCE(s.hint_de, ''),
	COALESCE(s.question_id, ''), COALESCE(s.place_id, '')
FROM fieldguide_versions v
JOIN users u ON u.id = v.user_id
JOIN organisations o ON o.id = v.org_id
LEFT JOIN fieldguide_places p ON p.version = v.version
LEFT JOIN fieldguide_signs s ON s.version = v.version
ORDER BY v.version`

// readLog returns every version in order. A retirement carries the content
// its item had before, so the history can name what was retired.
func readLog(ctx context.Context, tx *storage.Tx) ([]Revision, error) {
	rows, err := tx.QueryContext(ctx, logQuery)
	if err != nil {
		return nil, fmt.Errorf("read local field guide: %w", err)
	}
	defer rows.Close()
	type itemKey struct {
		kind Kind
		id   string
	}
	last := map[itemKey]Revision{}
	var out []Revision
	for rows.Next() {
		var r Revision
		var name, where, lookFor, label, hint [2]string
		var place PlaceText
		var sign SignText
		err := rows.Scan(&r.Version, &r.Kind, &r.ItemID, &r.Action, &r.At, &r.UserID, &r.Username, &r.OrgID, &r.OrgName,
			&r.Citation, &r.Reason, &r.CatalogueVersion,
			&name[0], &name[1], &where[0], &where[1], &lookFor[0], &lookFor[1], &place.Area,
			&label[0], &label[1], &hint[0], &hint[1], &sign.QuestionID, &sign.PlaceID)
		if err != nil {
			return nil, fmt.Errorf("scan local field guide version: %w", err)
		}
		k := itemKey{r.Kind, r.ItemID}
		switch {
		case r.Action == Retired:
			prev := last[k]
			r.Place, r.Sign = prev.Place, prev.Sign
		case r.Kind == KindPlace:
			place.Name, place.Where = byLanguage(name), byLanguage(where)
			place.LookFor = map[string][]string{}
			for i, lang := range languages {
				if l := lines(lookFor[i]); l != nil {
					place.LookFor[lang] = l
				}
			}
			r.Place = &place
		case r.Kind == KindSign:
			sign.Label, sign.Hint = byLanguage(label), byLanguage(hint)
			r.Sign = &sign
		}
		last[k] = r
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read local field guide: %w", err)
	}
	return out, nil
}

// byLanguage turns the stored columns (in the order of languages) into a
// Localized, leaving out empty texts.
func byLanguage(cols [2]string) Localized {
	out := Localized{}
	for i, lang := range languages {
		if cols[i] != "" {
			out[lang] = cols[i]
		}
	}
	return out
}

// fold replays the log into the current local set: the latest version of
// each item, unless that version retired it.
func (s *Service) fold(log []Revision) Local {
	type itemKey struct {
		kind Kind
		id   string
	}
	type item struct{ added, latest Revision }
	live := map[itemKey]*item{}
	// order lists items as they were added; an item retired and added again
	// (a question marked anew) is listed again, and only its newest entry
	// counts.
	type added struct {
		key     itemKey
		version int
	}
	var order []added
	var l Local
	for _, r := range log {
		l.Version = r.Version
		k := itemKey{r.Kind, r.ItemID}
		switch r.Action {
		case Added:
			live[k] = &item{added: r, latest: r}
			order = append(order, added{k, r.Version})
		case Changed:
			if it := live[k]; it != nil {
				it.latest = r
			}
		case Retired:
			delete(live, k)
		}
	}
	for _, a := range order {
		it := live[a.key]
		if it == nil || it.added.Version != a.version {
			continue
		}
		switch a.key.kind {
		case KindPlace:
			l.Places = append(l.Places, Place{ID: a.key.id, PlaceText: *it.latest.Place, Added: it.added.Source, Latest: it.latest.Source})
		case KindSign:
			_, known := s.catalogue.Indicator(it.latest.Sign.QuestionID)
			l.Signs = append(l.Signs, Sign{ID: a.key.id, SignText: *it.latest.Sign, Counts: known,
				Added: it.added.Source, Latest: it.latest.Source})
		case KindMark:
			_, known := s.catalogue.Indicator(a.key.id)
			l.Marks = append(l.Marks, Mark{QuestionID: a.key.id, Reason: it.latest.Reason, Known: known,
				Added: it.added.Source, Latest: it.latest.Source})
		}
	}
	return l
}

// Current returns the current local set, for the field guide and for a
// screening to show local signs and record Local.Version with its answers.
// It needs no permission of its own: whoever may open the field guide sees
// what the city added to it.
func (s *Service) Current(ctx context.Context) (Local, error) {
	var l Local
	err := s.db.Read(ctx, func(tx *storage.Tx) error {
		log, err := readLog(ctx, tx)
		l = s.fold(log)
		return err
	})
	return l, err
}

// History returns the current local set and every version, newest first,
// for the coordinator's page.
func (s *Service) History(ctx context.Context, actor access.Actor) (Local, []Revision, error) {
	if err := s.authorize(ctx, actor, "fieldguide", ""); err != nil {
		return Local{}, nil, err
	}
	return s.history(ctx)
}

func (s *Service) history(ctx context.Context) (Local, []Revision, error) {
	var log []Revision
	err := s.db.Read(ctx, func(tx *storage.Tx) error {
		var err error
		log, err = readLog(ctx, tx)
		return err
	})
	if err != nil {
		return Local{}, nil, err
	}
	newestFirst := make([]Revision, len(log))
	for i, r := range log {
		newestFirst[len(log)-1-i] = r
	}
	return s.fold(log), newestFirst, nil
}

// version is one change about to be written.
type version struct {
	kind   Kind
	id     string
	action Action
	note   Note
	place  *PlaceText
	sign   *SignText
}

// commit writes one change in one transaction: it takes the next version
// number (locking the counter, so changes never interleave), reads the
// current set, lets decide check the change against it, then inserts the
// version, its content and the audit entry. decide returning an error
// stores nothing, not even the version number.
func (s *Service) commit(ctx context.Context, actor access.Actor, decide func(cur Local) (version, error)) (Local, error) {
	var after Local
	err := s.db.Write(ctx, func(tx *storage.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `UPDATE fieldguide_head SET version = version + 1 WHERE id = 1 RETURNING version`).Scan(&n); err != nil {
			return fmt.Errorf("take local field guide version: %w", err)
		}
		log, err := readLog(ctx, tx)
		if err != nil {
			return err
		}
		v, err := decide(s.fold(log))
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO fieldguide_versions
			(version, kind, item_id, action, user_id, org_id, created_at, citation, reason, catalogue_version)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			n, v.kind, v.id, v.action, actor.UserID, actor.OrgID, s.now(), v.note.Citation, v.note.Reason, s.catalogue.Version); err != nil {
			return fmt.Errorf("insert local field guide version: %w", storage.MapError(err))
		}
		if err := insertContent(ctx, tx, n, v); err != nil {
			return err
		}
		if err := s.record(ctx, tx, actor, v.kind, v.id, v.action, n); err != nil {
			return err
		}
		log, err = readLog(ctx, tx)
		after = s.fold(log)
		return err
	})
	return after, err
}

// insertContent stores what a place or sign says after version n; a
// retirement and a mark store none.
func insertContent(ctx context.Context, tx *storage.Tx, n int, v version) error {
	switch {
	case v.place != nil:
		p := v.place
		_, err := tx.ExecContext(ctx, `INSERT INTO fieldguide_places
			(version, name_en, name_de, where_en, where_de, look_for_en, look_for_de, area)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			n, p.Name["en"], p.Name["de"], p.Where["en"], p.Where["de"],
			strings.Join(p.LookFor["en"], "\n"), strings.Join(p.LookFor["de"], "\n"), p.Area)
		if err != nil {
			return fmt.Errorf("insert local place: %w", storage.MapError(err))
		}
	case v.sign != nil:
		g := v.sign
		_, err := tx.ExecContext(ctx, `INSERT INTO fieldguide_signs
			(version, label_en, label_de, hint_en, hint_de, question_id, place_id)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			n, g.Label["en"], g.Label["de"], g.Hint["en"], g.Hint["de"], g.QuestionID, g.PlaceID)
		if err != nil {
			return fmt.Errorf("insert local sign: %w", storage.MapError(err))
		}
	}
	return nil
}
