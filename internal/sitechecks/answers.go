package sitechecks

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/forms"
	"waymark.city/waymark/internal/storage"
)

// AnswersEdit is what an edit of a check's answers did to its findings.
type AnswersEdit struct {
	// Added are findings the new answers signal; Removed derived ones
	// they no longer signal, which had no corrective action.
	Added, Removed int
	// Withdrawn are derived findings the new answers no longer signal but
	// that have corrective actions: kept, with their actions, and marked
	// (Finding.Withdrawn) so the page says so. Restored are such findings
	// the answers signal again.
	Withdrawn, Restored int
}

// EditAnswers replaces a check's answers (posted, in lang for the
// questionnaire's messages) on the questionnaire it was answered on, and
// brings the findings derived from answers in line in the same
// transaction: new signals become findings, derived findings no longer
// signalled go, except those with corrective actions, which stay marked
// as withdrawn rather than lose the plan made for them. Findings added by
// hand, severities and texts the officer changed, and all actions stay.
// Refused answers change nothing and come back as read.
func (s *Service) EditAnswers(ctx context.Context, actor access.Actor, checkID string, values url.Values, lang string) (AnswersEdit, forms.Answers, error) {
	if err := s.authorize(ctx, actor, access.ManageProcurement, "site_check", checkID); err != nil {
		return AnswersEdit{}, forms.Answers{}, err
	}
	c, err := s.Check(ctx, actor, checkID)
	if err != nil {
		return AnswersEdit{}, forms.Answers{}, err
	}
	form, err := s.FormOf(ctx, c)
	if err != nil {
		return AnswersEdit{}, forms.Answers{}, err
	}
	ans, err := form.Form.Decode(values, lang)
	if err != nil {
		return AnswersEdit{}, ans, err
	}
	var pf fields
	flagged := pf.aboutPerson(form.answerTexts(ans), confirmedNotPerson(values))
	if err := pf.Err(); err != nil {
		return AnswersEdit{}, ans, err
	}
	b, err := json.Marshal(ans)
	if err != nil {
		return AnswersEdit{}, ans, fmt.Errorf("encode check answers: %w", err)
	}
	derived := form.derive(ans)
	wanted := map[string]bool{}
	for _, sg := range derived {
		wanted[sg.Question] = true
	}
	var ed AnswersEdit
	err = s.db.Write(ctx, func(tx *storage.Tx) error {
		var id string
		err := tx.QueryRowContext(ctx, `SELECT id FROM site_checks WHERE id = $1`+tx.ForUpdate(), checkID).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return errNotFound()
		}
		if err != nil {
			return err
		}
		if err := s.recordConfirmed(ctx, tx, actor, checkID, flagged); err != nil {
			return err
		}
		type finding struct {
			id, signal         string
			withdrawn, actions int
		}
		rows, err := tx.QueryContext(ctx, `SELECT f.id, f.signal, CASE WHEN f.answer_withdrawn_at IS NULL THEN 0 ELSE 1 END,
			(SELECT count(*) FROM site_check_actions a WHERE a.finding_id = f.id)
			FROM site_check_findings f WHERE f.check_id = $1 AND f.signal <> '' ORDER BY f.id`, checkID)
		if err != nil {
			return err
		}
		var have []finding
		for rows.Next() {
			var d finding
			if err := rows.Scan(&d.id, &d.signal, &d.withdrawn, &d.actions); err != nil {
				rows.Close()
				return err
			}
			have = append(have, d)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		now := s.now()
		for _, d := range have {
			still := wanted[d.signal]
			delete(wanted, d.signal)
			var err error
			switch {
			case still && d.withdrawn == 1:
				ed.Restored++
				_, err = tx.ExecContext(ctx, `UPDATE site_check_findings SET answer_withdrawn_at = NULL, updated_at = $2 WHERE id = $1`, d.id, now)
			case d.actions > 0 && !still && d.withdrawn == 0:
				ed.Withdrawn++
				_, err = tx.ExecContext(ctx, `UPDATE site_check_findings SET answer_withdrawn_at = $2, updated_at = $2 WHERE id = $1`, d.id, now)
			case d.actions == 0 && !still:
				ed.Removed++
				_, err = tx.ExecContext(ctx, `DELETE FROM site_check_findings WHERE id = $1`, d.id)
			}
			if err != nil {
				return err
			}
		}
		// What is left wanted has no finding yet.
		var added []Signal
		for _, sg := range derived {
			if wanted[sg.Question] {
				added = append(added, sg)
			}
		}
		ed.Added = len(added)
		if err := addDerived(ctx, tx, form, checkID, added, lang, actor.UserID, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE site_checks SET answers = $1 WHERE id = $2`, string(b), checkID); err != nil {
			return err
		}
		return s.record(ctx, tx, actor, "site_check.answers.update", "site_check", checkID,
			fmt.Sprintf("added=%d removed=%d withdrawn=%d restored=%d", ed.Added, ed.Removed, ed.Withdrawn, ed.Restored))
	})
	if err != nil {
		return AnswersEdit{}, ans, err
	}
	return ed, ans, nil
}
