package mapping

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/audit"
	"waymark.city/waymark/internal/forms"
	"waymark.city/waymark/internal/storage"
)

// Answering is what the page of a questionnaire to answer shows.
type Answering struct {
	Round         Round
	Questionnaire Questionnaire
	Form          *forms.Form
	// AnsweredAt is when the respondent answered before; answering again
	// replaces that response.
	AnsweredAt *time.Time
}

// Answering opens questionnaire qID of round roundID for the actor to
// answer: their organisation (or role) must be invited and the round open.
// Anything else is not found.
func (s *Service) Answering(ctx context.Context, actor access.Actor, roundID, qID string) (Answering, error) {
	if _, err := s.gate.Authorize(ctx, actor, access.RespondMapping, "mapping_round", roundID); err != nil {
		return Answering{}, err
	}
	var a Answering
	err := s.db.Read(ctx, func(tx *storage.Tx) error {
		var err error
		a, _, err = s.answering(ctx, tx, actor, roundID, qID)
		return err
	})
	return a, err
}

func (s *Service) answering(ctx context.Context, tx *storage.Tx, actor access.Actor, roundID, qID string) (Answering, string, error) {
	inv, err := invitationFor(ctx, tx, actor, roundID, qID)
	if err != nil {
		return Answering{}, "", err
	}
	a, err := s.openForm(ctx, tx, roundID, qID)
	if err != nil {
		return Answering{}, "", err
	}
	var at time.Time
	err = tx.QueryRowContext(ctx, `SELECT submitted_at FROM mapping_responses WHERE round_id = $1 AND questionnaire_id = $2 AND respondent_user = $3`,
		roundID, qID, actor.UserID).Scan(&at)
	switch {
	case err == nil:
		a.AnsweredAt = &at
	case !errors.Is(err, sql.ErrNoRows):
		return Answering{}, "", fmt.Errorf("load own response: %w", err)
	}
	return a, inv, nil
}

// openForm loads an open round and its questionnaire's form.
func (s *Service) openForm(ctx context.Context, tx *storage.Tx, roundID, qID string) (Answering, error) {
	r, err := getRound(ctx, tx, roundID)
	if err != nil {
		return Answering{}, err
	}
	if r.Status != Open {
		return Answering{}, apperr.New(apperr.Conflict, "mapping.error.round_"+r.Status)
	}
	q, err := getQuestionnaire(ctx, tx, qID)
	if err != nil {
		return Answering{}, err
	}
	form, err := s.formFor(ctx, tx, qID, r.Areas)
	if err != nil {
		return Answering{}, err
	}
	return Answering{Round: r, Questionnaire: q, Form: form}, nil
}

// respondent is who gave a response.
type respondent struct {
	userID, orgID sql.NullString
	kind, role    string
	anonymous     bool
	invitation    string
}

// Respond decodes and checks the posted answers of the actor and stores
// them in one transaction, replacing the actor's earlier response to the
// same questionnaire of the round. anonymous hides the respondent from
// everyone but the coordinator. With an error the answers as typed come
// back for showing the form again.
func (s *Service) Respond(ctx context.Context, actor access.Actor, roundID, qID string, values url.Values, lang string, anonymous bool) (forms.Answers, error) {
	a, err := s.Answering(ctx, actor, roundID, qID)
	if err != nil {
		return forms.Answers{}, err
	}
	ans, err := a.Form.Decode(values, lang)
	if err != nil {
		return ans, err
	}
	err = s.db.Write(ctx, func(tx *storage.Tx) error {
		// Checked again inside the transaction: the round may have closed.
		a, inv, err := s.answering(ctx, tx, actor, roundID, qID)
		if err != nil {
			return err
		}
		var kind string
		if err := tx.QueryRowContext(ctx, `SELECT kind FROM organisations WHERE id = $1`, actor.OrgID).Scan(&kind); err != nil {
			return fmt.Errorf("load organisation kind: %w", err)
		}
		who := respondent{userID: storage.NullString(actor.UserID), orgID: storage.NullString(actor.OrgID), kind: kind,
			role: string(actor.Role), anonymous: anonymous, invitation: inv}
		if a.AnsweredAt != nil {
			if err := s.dropOwn(ctx, tx, actor, roundID, qID); err != nil {
				return err
			}
		}
		id, err := s.storeResponse(ctx, tx, a.Form, roundID, qID, who, ans)
		if err != nil {
			return err
		}
		// An anonymous respondent is left out of the audit log too: its
		// readers are not only the coordinator.
		logged := actor
		detail := "named"
		if anonymous {
			logged, detail = access.Actor{}, "anonymous"
		}
		return s.log(ctx, tx, logged, "respond", "mapping_response", id, detail)
	})
	return ans, err
}

// dropOwn deletes the actor's earlier response and forgets the key of its
// free text.
func (s *Service) dropOwn(ctx context.Context, tx *storage.Tx, actor access.Actor, roundID, qID string) error {
	var old string
	if err := tx.QueryRowContext(ctx, `SELECT id FROM mapping_responses WHERE round_id = $1 AND questionnaire_id = $2 AND respondent_user = $3`,
		roundID, qID, actor.UserID).Scan(&old); err != nil {
		return fmt.Errorf("find earlier response: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM mapping_free_texts WHERE response_id = $1`, old); err != nil {
		return fmt.Errorf("drop earlier free text: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM mapping_responses WHERE id = $1`, old); err != nil {
		return fmt.Errorf("drop earlier response: %w", err)
	}
	// Its accepted free text leaves the report with it.
	if err := bump(ctx, tx, "texts_revision", roundID, qID); err != nil {
		return err
	}
	return s.vault.Forget(ctx, tx, record(old))
}

// LinkAnswering opens the questionnaire of a link invitation for someone
// without an account.
func (s *Service) LinkAnswering(ctx context.Context, token string) (Answering, error) {
	var a Answering
	err := s.db.Read(ctx, func(tx *storage.Tx) error {
		l, err := s.loadLink(ctx, tx, token, false)
		if err != nil {
			return err
		}
		a, err = s.openForm(ctx, tx, l.roundID, l.qID)
		return err
	})
	return a, err
}

// RespondByLink stores the answers posted through a link invitation, which
// counts one use of the link. The respondent is known only as the key
// actor the link was made for; nothing about the client is stored.
func (s *Service) RespondByLink(ctx context.Context, token string, values url.Values, lang string) (forms.Answers, error) {
	a, err := s.LinkAnswering(ctx, token)
	if err != nil {
		return forms.Answers{}, err
	}
	ans, err := a.Form.Decode(values, lang)
	if err != nil {
		return ans, err
	}
	err = s.db.Write(ctx, func(tx *storage.Tx) error {
		// Checked again under the link's lock: two people may use its last answer.
		l, err := s.loadLink(ctx, tx, token, true)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE mapping_invitations SET uses = uses + 1 WHERE id = $1`, l.id); err != nil {
			return fmt.Errorf("count link use: %w", err)
		}
		who := respondent{kind: l.kind, anonymous: true, invitation: l.id}
		id, err := s.storeResponse(ctx, tx, a.Form, l.roundID, l.qID, who, ans)
		if err != nil {
			return err
		}
		_, err = s.audit.Append(ctx, tx, audit.Entry{Action: "mapping.respond_link", Outcome: audit.Done,
			SubjectType: "mapping_response", SubjectID: id, Detail: "invitation=" + l.id})
		return err
	})
	return ans, err
}

// storeResponse writes a response: numbers and choices in the clear, free
// text sealed, and a pending review row for each free-text answer.
func (s *Service) storeResponse(ctx context.Context, tx *storage.Tx, form *forms.Form, roundID, qID string, who respondent, ans forms.Answers) (string, error) {
	id := newID()
	clear, texts, paths := split(ans, textFields(form))
	clearJSON, err := json.Marshal(clear)
	if err != nil {
		return "", fmt.Errorf("encode answers: %w", err)
	}
	var sealed []byte
	if len(paths) > 0 {
		textJSON, err := json.Marshal(texts)
		if err != nil {
			return "", fmt.Errorf("encode free text: %w", err)
		}
		if sealed, err = s.vault.Seal(ctx, tx, record(id), "texts", textJSON); err != nil {
			return "", err
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO mapping_responses (id, round_id, questionnaire_id, invitation_id, respondent_user, respondent_org,
		respondent_kind, respondent_role, anonymous, answers, texts, submitted_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		id, roundID, qID, who.invitation, who.userID, who.orgID, who.kind, who.role, storage.Flag(who.anonymous), string(clearJSON), sealed, s.now()); err != nil {
		return "", fmt.Errorf("store response: %w", storage.MapError(err))
	}
	for _, p := range paths {
		if _, err := tx.ExecContext(ctx, `INSERT INTO mapping_free_texts (id, response_id, round_id, questionnaire_id, field, status)
			VALUES ($1, $2, $3, $4, $5, 'pending')`, newID(), id, roundID, qID, p); err != nil {
			return "", fmt.Errorf("store free-text review: %w", err)
		}
	}
	return id, bump(ctx, tx, "responses_revision", roundID, qID)
}

// textFields names the form's free-text questions.
func textFields(form *forms.Form) map[string]bool {
	out := map[string]bool{}
	for _, f := range form.Fields() {
		if f.Type == forms.TypeText {
			out[f.Name] = true
		}
	}
	return out
}

// split separates the free-text answers from the rest, keeping the shape
// of repeats, and lists the input paths of the non-empty free texts
// ("profile", "places[2]/observation").
func split(ans forms.Answers, text map[string]bool) (clear, texts forms.Answers, paths []string) {
	clear, texts = splitAt(ans, text, "", &paths)
	return clear, texts, paths
}

func splitAt(ans forms.Answers, text map[string]bool, prefix string, paths *[]string) (clear, texts forms.Answers) {
	clear.Values, texts.Values = map[string]string{}, map[string]string{}
	names := make([]string, 0, len(ans.Values))
	for k := range ans.Values {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		v := ans.Values[k]
		if !text[k] {
			clear.Values[k] = v
			continue
		}
		if v != "" {
			texts.Values[k] = v
			*paths = append(*paths, prefix+k)
		}
	}
	repeats := make([]string, 0, len(ans.Repeats))
	for k := range ans.Repeats {
		repeats = append(repeats, k)
	}
	slices.Sort(repeats)
	for _, k := range repeats {
		list := ans.Repeats[k]
		if clear.Repeats == nil {
			clear.Repeats, texts.Repeats = map[string][]forms.Answers{}, map[string][]forms.Answers{}
		}
		cl, tl := make([]forms.Answers, len(list)), make([]forms.Answers, len(list))
		for i, inst := range list {
			cl[i], tl[i] = splitAt(inst, text, prefix+k+"["+strconv.Itoa(i+1)+"]/", paths)
		}
		clear.Repeats[k], texts.Repeats[k] = cl, tl
	}
	return clear, texts
}
