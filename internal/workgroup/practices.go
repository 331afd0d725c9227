package workgroup

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/storage"
)

// Practice is a good practice from elsewhere in the group's library.
type Practice struct {
	ID    string
	Title string
	What  string
	City  string
	// Country is an ISO 3166-1 alpha-2 code, or "".
	Country string
	Result  string
	// Source is where the practice is described (a citation).
	Source string
	// Transfer says whether it would work here (one of Transfers), and
	// TransferWhy why.
	Transfer    string
	TransferWhy string
	Tags        []string
	UpdatedAt   time.Time
}

// PracticeInput is the library form.
type PracticeInput struct {
	Title, What, City, Country, Result, Source, Transfer, TransferWhy string
	Tags                                                              []string
}

var (
	countryCode = regexp.MustCompile(`^[A-Z]{2}$`)
	tagPattern  = regexp.MustCompile(`^[\p{Ll}\p{N}][\p{Ll}\p{N} _-]*$`)
)

// cleanTags lower-cases, trims and de-duplicates tags; a comma-separated
// value counts as several.
func cleanTags(in []string) []string {
	out := []string{}
	for _, v := range in {
		for p := range strings.SplitSeq(v, ",") {
			if p = strings.ToLower(strings.TrimSpace(p)); p != "" && !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	return out
}

func (in *PracticeInput) check() fields {
	var fe fields
	trim := func(ps ...*string) {
		for _, p := range ps {
			*p = strings.TrimSpace(*p)
		}
	}
	trim(&in.Title, &in.What, &in.City, &in.Country, &in.Result, &in.Source, &in.Transfer, &in.TransferWhy)
	in.Country = strings.ToUpper(in.Country)
	in.Tags = cleanTags(in.Tags)
	if in.Title == "" || tooLong(in.Title, maxName) {
		fe.Add("title", "workgroup.error.title")
	}
	if in.What == "" || tooLong(in.What, maxText) {
		fe.Add("what", "workgroup.error.what")
	}
	if tooLong(in.City, maxName) {
		fe.Add("city", "workgroup.error.too_long")
	}
	if in.Country != "" && !countryCode.MatchString(in.Country) {
		fe.Add("country", "workgroup.error.country")
	}
	if tooLong(in.Result, maxText) {
		fe.Add("result", "workgroup.error.too_long")
	}
	if in.Source == "" || tooLong(in.Source, maxSource) {
		fe.Add("source", "workgroup.error.source")
	}
	if !slices.Contains(transfers, in.Transfer) {
		fe.Add("transfer", "workgroup.error.transfer")
	}
	switch {
	case tooLong(in.TransferWhy, maxText):
		fe.Add("transfer_why", "workgroup.error.too_long")
	case in.TransferWhy == "" && in.Transfer != "unknown" && in.Transfer != "":
		fe.Add("transfer_why", "workgroup.error.transfer_why")
	}
	if len(in.Tags) > maxTags || slices.ContainsFunc(in.Tags, func(t string) bool { return tooLong(t, maxTag) || !tagPattern.MatchString(t) }) {
		fe.Add("tags", "workgroup.error.tags")
	}
	return fe
}

const practiceColumns = `id, title, what, city, country, result, source, transfer, transfer_why, tags, updated_at`

func scanPractice(r interface{ Scan(...any) error }) (Practice, error) {
	var p Practice
	var tags string
	if err := r.Scan(&p.ID, &p.Title, &p.What, &p.City, &p.Country, &p.Result, &p.Source, &p.Transfer, &p.TransferWhy, &tags, &p.UpdatedAt); err != nil {
		return Practice{}, err
	}
	if err := json.Unmarshal([]byte(tags), &p.Tags); err != nil {
		return Practice{}, fmt.Errorf("decode tags of practice %s: %w", p.ID, err)
	}
	return p, nil
}

// CreatePractice adds a good practice to the library.
func (s *Service) CreatePractice(ctx context.Context, actor access.Actor, in PracticeInput) (Practice, error) {
	if _, err := s.gate.Authorize(ctx, actor, access.ManageWorkingGroup, "workgroup_practice", ""); err != nil {
		return Practice{}, err
	}
	if err := in.check().Err(); err != nil {
		return Practice{}, err
	}
	var out Practice
	err := s.db.Write(ctx, func(tx *storage.Tx) error {
		id, now := newID(), s.now()
		if _, err := tx.ExecContext(ctx, `INSERT INTO workgroup_practices (id, title, what, city, country, result, source, transfer, transfer_why,
				tags, created_by, created_at, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $11, $12)`,
			id, in.Title, in.What, in.City, in.Country, in.Result, in.Source, in.Transfer, in.TransferWhy, jsonList(in.Tags), actor.UserID, now); err != nil {
			return fmt.Errorf("insert practice: %w", err)
		}
		if err := s.gate.Record(ctx, tx, actor, "workgroup.practice.create", "workgroup_practice", id, "", in.Transfer); err != nil {
			return err
		}
		var err error
		out, err = scanPractice(tx.QueryRowContext(ctx, `SELECT `+practiceColumns+` FROM workgroup_practices WHERE id = $1`, id))
		return err
	})
	return out, err
}

// Practices lists the library, newest first, with a tag when tag is not "".
// The library is the group's: an organisation that is not a member sees
// none of it.
func (s *Service) Practices(ctx context.Context, actor access.Actor, tag string) ([]Practice, error) {
	scope, err := s.readScope(ctx, actor, "workgroup_practice", "")
	if err != nil {
		return nil, err
	}
	tag = strings.ToLower(strings.TrimSpace(tag))
	var out []Practice
	err = s.db.Read(ctx, func(tx *storage.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+practiceColumns+` FROM workgroup_practices WHERE `+member+`
			ORDER BY created_at DESC, id LIMIT 1000`, scope.Org())
		if err != nil {
			return fmt.Errorf("list practices: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			p, err := scanPractice(rows)
			if err != nil {
				return fmt.Errorf("scan practice: %w", err)
			}
			if tag == "" || slices.Contains(p.Tags, tag) {
				out = append(out, p)
			}
		}
		return rows.Err()
	})
	return out, err
}

// Practice returns one good practice of the library, to the members.
func (s *Service) Practice(ctx context.Context, actor access.Actor, id string) (Practice, error) {
	scope, err := s.readScope(ctx, actor, "workgroup_practice", id)
	if err != nil {
		return Practice{}, err
	}
	var out Practice
	err = s.db.Read(ctx, func(tx *storage.Tx) error {
		var err error
		out, err = scanPractice(tx.QueryRowContext(ctx, `SELECT `+practiceColumns+` FROM workgroup_practices WHERE `+member+` AND id = $2`, scope.Org(), id))
		return storage.MapError(err)
	})
	return out, s.outOfScope(ctx, actor, "workgroup_practice", id, err)
}
