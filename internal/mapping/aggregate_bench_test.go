package mapping_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/forms"
	"waymark.city/waymark/internal/mapping"
	"waymark.city/waymark/internal/storage"
)

// The target: a round of 2,000 responses × 60 questions is added
// up in under 200 ms. service_cold adds up every response; service_kept is
// a call while the responses are unchanged. The raw-SQL baselines read the
// same rows: one only scans the stored answers, the other counts every
// (type, question, answer) in SQLite's JSON functions, which is the
// counting part of the aggregation without the medians.
const (
	benchResponses = 2000
	benchQuestions = 60
)

type benchRound struct {
	env      *apptest.Env
	analyst  access.Actor
	round, q string
}

// benchForm is a questionnaire of 20 select_one, 20 select_multiple and
// 20 integer questions.
func benchForm() string {
	var b strings.Builder
	b.WriteString("| survey |\n| | type | name | label |\n")
	for i := 0; i < benchQuestions; i++ {
		switch i % 3 {
		case 0:
			fmt.Fprintf(&b, "| | select_one opts | q%d | Q%d |\n", i, i)
		case 1:
			fmt.Fprintf(&b, "| | select_multiple opts | q%d | Q%d |\n", i, i)
		default:
			fmt.Fprintf(&b, "| | integer | q%d | Q%d |\n", i, i)
		}
	}
	b.WriteString("| choices |\n| | list_name | name | label |\n")
	for _, c := range []string{"a", "b", "c", "d", "e"} {
		fmt.Fprintf(&b, "| | opts | %s | %s |\n", c, strings.ToUpper(c))
	}
	b.WriteString("| settings |\n| | form_title | form_id | version |\n| | Bench | bench | 1 |\n")
	return b.String()
}

func newBenchRound(b *testing.B) benchRound {
	b.Helper()
	env := apptest.Start(b, storage.SQLite)
	ctx := context.Background()
	city := env.Org("City", accounts.Municipality)
	coord := env.User("coord", access.Coordinator, city)
	analyst := env.User("analyst", access.Analyst, city)
	src := benchForm()
	if _, err := forms.ParseText("bench", []byte(src)); err != nil {
		b.Fatal(err)
	}
	br := benchRound{env: env, analyst: analyst.Actor, q: "bench-q"}
	err := env.App.DB.Write(ctx, func(tx *storage.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO mapping_questionnaires (id, form_id, title, version, source_kind, source_name, source,
			restricted, imported_by, imported_org, imported_at) VALUES ($1, 'bench', 'Bench', '1', 'shipped', 'bench', $2, 0, $3, $4, $5)`,
			br.q, []byte(src), coord.ID, city, storage.Now())
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	r, err := env.App.Mapping.CreateRound(ctx, coord.Actor, mapping.RoundInput{Title: "Bench", QuestionnaireIDs: []string{br.q},
		PeriodStart: "2026-01-01", PeriodEnd: "2026-12-31", Open: true})
	if err != nil {
		b.Fatal(err)
	}
	br.round = r.ID
	inv, err := env.App.Mapping.Invite(ctx, coord.Actor, r.ID, mapping.InviteInput{QuestionnaireID: br.q, Link: true, RespondentKind: "ngo", MaxUses: 1, Days: 1})
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	kinds := []string{"ngo", "police", "social_services", "health_service", "labour_inspectorate", "municipality"}
	opts := []string{"a", "b", "c", "d", "e"}
	err = env.App.DB.Write(ctx, func(tx *storage.Tx) error {
		for i := 0; i < benchResponses; i++ {
			ans := forms.Answers{Values: map[string]string{}}
			for q := 0; q < benchQuestions; q++ {
				switch q % 3 {
				case 0:
					ans.Values[fmt.Sprintf("q%d", q)] = opts[rng.IntN(5)]
				case 1:
					ans.Values[fmt.Sprintf("q%d", q)] = opts[rng.IntN(2)] + " " + opts[2+rng.IntN(3)]
				default:
					ans.Values[fmt.Sprintf("q%d", q)] = fmt.Sprint(rng.IntN(1000))
				}
			}
			raw, _ := json.Marshal(ans)
			if _, err := tx.ExecContext(ctx, `INSERT INTO mapping_responses (id, round_id, questionnaire_id, invitation_id, respondent_kind,
				respondent_role, anonymous, answers, submitted_at) VALUES ($1, $2, $3, $4, $5, 'case_worker', 0, $6, $7)`,
				fmt.Sprintf("resp-%05d", i), br.round, br.q, inv.ID, kinds[i%len(kinds)], string(raw), storage.Now()); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return br
}

func BenchmarkAggregate(b *testing.B) {
	br := newBenchRound(b)
	ctx := context.Background()
	// cold adds up every response: a service of its own each time, so no
	// sums are kept from the run before.
	b.Run("service_cold", func(b *testing.B) {
		a := br.env.App
		for b.Loop() {
			svc := mapping.New(mapping.Deps{DB: a.DB, Vault: a.Vault, Audit: a.Audit})
			agg, err := svc.Aggregate(ctx, br.analyst, br.round, br.q)
			if err != nil || agg.Responses != benchResponses || len(agg.Questions) != benchQuestions {
				b.Fatalf("aggregate: %d responses, %d questions, %v", agg.Responses, len(agg.Questions), err)
			}
		}
	})
	// kept: the responses did not change since the last call.
	b.Run("service_kept", func(b *testing.B) {
		for b.Loop() {
			agg, err := br.env.App.Mapping.Aggregate(ctx, br.analyst, br.round, br.q)
			if err != nil || agg.Responses != benchResponses || len(agg.Questions) != benchQuestions {
				b.Fatalf("aggregate: %d responses, %d questions, %v", agg.Responses, len(agg.Questions), err)
			}
		}
	})
	b.Run("raw_scan", func(b *testing.B) {
		for b.Loop() {
			n := 0
			err := br.env.App.DB.Read(ctx, func(tx *storage.Tx) error {
				rows, err := tx.QueryContext(ctx, `SELECT respondent_kind, respondent_role, anonymous, answers FROM mapping_responses
					WHERE round_id = $1 AND questionnaire_id = $2`, br.round, br.q)
				if err != nil {
					return err
				}
				defer rows.Close()
				var kind, role string
				var anonymous int
				var answers []byte
				for rows.Next() {
					if err := rows.Scan(&kind, &role, &anonymous, &answers); err != nil {
						return err
					}
					n++
				}
				return rows.Err()
			})
			if err != nil || n != benchResponses {
				b.Fatalf("scan: %d rows, %v", n, err)
			}
		}
	})
	b.Run("raw_sql_counts", func(b *testing.B) {
		for b.Loop() {
			n := 0
			err := br.env.App.DB.Read(ctx, func(tx *storage.Tx) error {
				rows, err := tx.QueryContext(ctx, `SELECT p.respondent_kind, p.respondent_role, j.key, j.value, COUNT(*)
					FROM mapping_responses p, json_each(p.answers, '$.values') j
					WHERE p.round_id = $1 AND p.questionnaire_id = $2 GROUP BY 1, 2, 3, 4`, br.round, br.q)
				if err != nil {
					return err
				}
				defer rows.Close()
				var kind, role, key, value string
				var c int
				for rows.Next() {
					if err := rows.Scan(&kind, &role, &key, &value, &c); err != nil {
						return err
					}
					n++
				}
				return rows.Err()
			})
			if err != nil || n == 0 {
				b.Fatalf("raw counts: %d groups, %v", n, err)
			}
		}
	})
}
