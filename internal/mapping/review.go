package mapping

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/forms"
	"waymark.city/waymark/internal/storage"
)

// Review states of a free-text answer.
const (
	Pending  = "pending"
	Accepted = "accepted"
	Rejected = "rejected"
)

const maxEdited = 2000

// FreeText is one free-text answer and its review.
type FreeText struct {
	ID              string
	ResponseID      string
	QuestionnaireID string
	// Field is the answer's input path ("profile", "places[2]/observation").
	Field string
	// Question is the label of the question asked, by language.
	Question map[string]string
	Status   string
	// Original is the respondent's text; only the coordinator reads it.
	Original string
	// Edited is the accepted, de-identified text.
	Edited      string
	Respondent  RespondentType
	SubmittedAt time.Time
}

// RespondentType is who answered, as far as results show it: an
// organisation kind and role, or the key actor a link was made for (Role
// ""). Anonymous responses are shown as anonymous.
type RespondentType struct {
	Kind      string
	Role      string
	Anonymous bool
}

// Key is the respondent type's key in per-type results.
func (t RespondentType) Key() string {
	switch {
	case t.Anonymous && t.Role != "":
		return "anonymous"
	case t.Role == "":
		return "link:" + t.Kind
	}
	return t.Kind + "/" + t.Role
}

// Reviews lists a round's free-text answers in a state (Pending, Accepted,
// Rejected), decrypted, for the coordinator to review.
func (s *Service) Reviews(ctx context.Context, actor access.Actor, roundID, status string) ([]FreeText, error) {
	if _, err := s.gate.Authorize(ctx, actor, access.ManageMapping, "mapping_round", roundID); err != nil {
		return nil, err
	}
	var out []FreeText
	err := s.db.Write(ctx, func(tx *storage.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT t.id, t.response_id, t.questionnaire_id, t.field, t.status, t.edited, p.texts,
			p.respondent_kind, p.respondent_role, p.anonymous, p.submitted_at
			FROM mapping_free_texts t JOIN mapping_responses p ON p.id = t.response_id
			WHERE t.round_id = $1 AND t.status = $2 ORDER BY p.submitted_at, t.id LIMIT 200`, roundID, status)
		if err != nil {
			return fmt.Errorf("list free text: %w", err)
		}
		type sealedRow struct {
			FreeText
			edited, texts []byte
		}
		var list []sealedRow
		for rows.Next() {
			var r sealedRow
			var anonymous int
			if err := rows.Scan(&r.ID, &r.ResponseID, &r.QuestionnaireID, &r.Field, &r.Status, &r.edited, &r.texts,
				&r.Respondent.Kind, &r.Respondent.Role, &anonymous, &r.SubmittedAt); err != nil {
				rows.Close()
				return fmt.Errorf("scan free text: %w", err)
			}
			r.Respondent.Anonymous = anonymous != 0
			list = append(list, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		round, err := getRound(ctx, tx, roundID)
		if err != nil {
			return err
		}
		fields := map[string][]forms.FieldInfo{}
		opened := map[string]forms.Answers{}
		for _, r := range list {
			if _, ok := fields[r.QuestionnaireID]; !ok {
				form, err := s.formFor(ctx, tx, r.QuestionnaireID, round.Areas)
				if err != nil {
					return err
				}
				fields[r.QuestionnaireID] = form.Fields()
			}
			r.Question = questionTexts(fields[r.QuestionnaireID], r.Field)
			texts, ok := opened[r.ResponseID]
			if !ok {
				if texts, err = s.openTexts(ctx, tx, r.ResponseID, r.texts); err != nil {
					return err
				}
				opened[r.ResponseID] = texts
			}
			r.Original = textAt(texts, r.Field)
			if r.edited != nil {
				b, err := s.vault.Open(ctx, tx, record(r.ResponseID), "edited:"+r.ID, r.edited)
				if err != nil {
					return err
				}
				r.Edited = string(b)
			}
			out = append(out, r.FreeText)
		}
		return s.log(ctx, tx, actor, "review_read", "mapping_round", roundID, status)
	})
	return out, err
}

func (s *Service) openTexts(ctx context.Context, tx *storage.Tx, responseID string, sealed []byte) (forms.Answers, error) {
	var texts forms.Answers
	if sealed == nil {
		return texts, nil
	}
	b, err := s.vault.Open(ctx, tx, record(responseID), "texts", sealed)
	if err != nil {
		return texts, err
	}
	if err := json.Unmarshal(b, &texts); err != nil {
		return texts, fmt.Errorf("decode free text of %s: %w", responseID, err)
	}
	return texts, nil
}

// textAt finds the answer at an input path such as "places[2]/observation".
func textAt(ans forms.Answers, path string) string {
	for {
		head, rest, nested := strings.Cut(path, "/")
		if !nested {
			return ans.Values[head]
		}
		name, idx, ok := strings.Cut(strings.TrimSuffix(head, "]"), "[")
		i, err := strconv.Atoi(idx)
		if !ok || err != nil || i < 1 || i > len(ans.Repeats[name]) {
			return ""
		}
		ans, path = ans.Repeats[name][i-1], rest
	}
}

// Review accepts a free-text answer for the report with the coordinator's
// de-identified text, or rejects it (accept false; text is ignored).
func (s *Service) Review(ctx context.Context, actor access.Actor, id string, accept bool, text string) error {
	if _, err := s.gate.Authorize(ctx, actor, access.ManageMapping, "mapping_free_text", id); err != nil {
		return err
	}
	text = strings.TrimSpace(text)
	if accept && (text == "" || tooLong(text, maxEdited)) {
		return apperr.Validation(apperr.FieldError{Field: "text", Key: "mapping.error.edited"})
	}
	return s.db.Write(ctx, func(tx *storage.Tx) error {
		var responseID, roundID, qID string
		err := tx.QueryRowContext(ctx, `SELECT response_id, round_id, questionnaire_id FROM mapping_free_texts WHERE id = $1`+tx.ForUpdate(), id).
			Scan(&responseID, &roundID, &qID)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.New(apperr.NotFound, "mapping.error.no_free_text")
		}
		if err != nil {
			return fmt.Errorf("load free text %s: %w", id, err)
		}
		status := Rejected
		var edited []byte
		if accept {
			status = Accepted
			if edited, err = s.vault.Seal(ctx, tx, record(responseID), "edited:"+id, []byte(text)); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE mapping_free_texts SET status = $1, edited = $2, reviewed_by = $3, reviewed_at = $4 WHERE id = $5`,
			status, edited, actor.UserID, s.now(), id); err != nil {
			return fmt.Errorf("review free text %s: %w", id, err)
		}
		if err := bump(ctx, tx, "texts_revision", roundID, qID); err != nil {
			return err
		}
		return s.log(ctx, tx, actor, "review", "mapping_free_text", id, status)
	})
}

// Response is one response as the coordinator sees it on the round's page.
type Response struct {
	ID              string
	QuestionnaireID string
	Respondent      RespondentType
	// Username and OrgName name the respondent; empty for a link. The
	// coordinator sees them for anonymous responses too.
	Username, OrgName string
	SubmittedAt       time.Time
}

// Responses lists a round's responses with their respondents: for the
// coordinator alone, the one who may see anonymous respondents.
func (s *Service) Responses(ctx context.Context, actor access.Actor, roundID string) ([]Response, error) {
	if _, err := s.gate.Authorize(ctx, actor, access.ManageMapping, "mapping_round", roundID); err != nil {
		return nil, err
	}
	var out []Response
	err := s.db.Read(ctx, func(tx *storage.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT p.id, p.questionnaire_id, p.respondent_kind, p.respondent_role, p.anonymous,
			COALESCE(u.username, ''), COALESCE(o.name, ''), p.submitted_at
			FROM mapping_responses p LEFT JOIN users u ON u.id = p.respondent_user LEFT JOIN organisations o ON o.id = p.respondent_org
			WHERE p.round_id = $1 ORDER BY p.submitted_at DESC, p.id`, roundID)
		if err != nil {
			return fmt.Errorf("list responses: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var r Response
			var anonymous int
			if err := rows.Scan(&r.ID, &r.QuestionnaireID, &r.Respondent.Kind, &r.Respondent.Role, &anonymous, &r.Username, &r.OrgName, &r.SubmittedAt); err != nil {
				return fmt.Errorf("scan response: %w", err)
			}
			r.Respondent.Anonymous = anonymous != 0
			out = append(out, r)
		}
		return rows.Err()
	})
	return out, err
}
