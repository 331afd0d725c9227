package bench

import (
	"context"
	crand "crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/app"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/storage"
)

// Sizes of the case seed.
const (
	// maxCaseOrgs is how many organisations own cases: a city's referral
	// mechanism rarely has more partners that keep cases.
	maxCaseOrgs = 50
	// seedRows is the rows of one multi-row INSERT on PostgreSQL: 500 rows
	// of the widest table (29 columns) stay well under its 65,535
	// parameters. SQLite looks up each parameter's name with a linear scan
	// (sqlite3_bind_parameter_name), so binding n parameters costs n²:
	// there, shorter statements are faster.
	seedRows       = 500
	seedRowsSQLite = 40
	// seedTx is the cases of one transaction.
	seedTx = 10000
	// identityBytes is the size of a sealed identity (name, date of birth,
	// contact) as the vault stores it.
	identityBytes = 200
)

// Synthetic names for the blind-index search tokens, made up from common
// given names and surnames of the countries the seeded citizenships name;
// they identify no one.
var (
	benchGivenNames = []string{"maria", "elena", "ana", "ioana", "mihaela", "daniela", "svetlana", "olena", "iryna", "natalia",
		"tetiana", "oksana", "blessing", "joy", "precious", "faith", "gift", "mercy", "linh", "thu", "huong", "mai", "lan",
		"anh", "minh", "tuan", "hung", "nam", "ion", "gheorghe", "vasile", "andrei", "dmytro", "oleksandr", "petar", "georgi",
		"ivan", "nikolai", "stefan", "laszlo", "istvan", "zoltan", "eszter", "katalin", "jana", "lucia", "marek", "milan",
		"arben", "besa", "drita", "fatima", "amina", "ahmad", "omar", "rosa", "luz", "carmen", "jose", "wei"}
	benchSurnames = []string{"popescu", "ionescu", "popa", "dumitru", "stan", "stoica", "gheorghe", "rusu", "munteanu",
		"matei", "constantin", "serban", "moldovan", "lungu", "ciobanu", "ivanova", "petrova", "dimitrova", "georgieva",
		"nikolova", "todorova", "stoyanova", "angelova", "kovalenko", "bondarenko", "tkachenko", "kravchenko", "shevchenko",
		"boyko", "melnyk", "koval", "okafor", "adeyemi", "okonkwo", "eze", "obi", "nwosu", "adebayo", "ogunleye", "balogun",
		"chukwu", "nguyen", "tran", "le", "pham", "hoang", "phan", "vu", "dang", "bui", "do", "ho", "ngo", "duong", "ly",
		"nagy", "kovacs", "toth", "szabo", "horvath", "varga", "kiss", "molnar", "nemeth", "farkas", "balazs", "kovac",
		"horvat", "novak", "kral", "hlavac", "benko", "hoxha", "shehu", "krasniqi", "gashi", "berisha", "morina", "kelmendi",
		"jovanovic", "petrovic", "nikolic", "markovic", "djordjevic", "stojanovic", "ilic", "pavlovic", "rahimi", "ahmadi",
		"hosseini", "karimi", "haidari", "sultani", "alhassan", "khalil", "haddad", "mansour", "saleh", "santos", "silva",
		"oliveira", "souza", "pereira", "costa", "reyes", "cruz", "bautista", "ramos", "garcia", "mendoza", "wang", "li",
		"zhang", "liu", "chen", "yang", "huang", "zhao", "wu", "zhou", "xu", "sun", "ma", "hu", "guo"}
	benchCitizenships = []struct{ country, language string }{{"RO", "ro"}, {"BG", "bg"}, {"UA", "uk"}, {"NG", "en"},
		{"VN", "vi"}, {"HU", "hu"}, {"SK", "sk"}, {"RS", "sr"}, {"AL", "sq"}, {"MD", "ro"}, {"AF", "fa"}, {"SY", "ar"},
		{"BR", "pt"}, {"PH", "tl"}, {"CN", "zh"}, {"AT", "de"}}
)

// weighted picks a value by weight.
type weighted[T any] struct {
	values []T
	cum    []float64
}

func newWeighted[T any](pairs ...any) weighted[T] {
	var w weighted[T]
	total := 0.0
	for i := 0; i < len(pairs); i += 2 {
		total += pairs[i+1].(float64)
		w.values = append(w.values, pairs[i].(T))
		w.cum = append(w.cum, total)
	}
	return w
}

func (w weighted[T]) pick(r *rand.Rand) T {
	x := r.Float64() * w.cum[len(w.cum)-1]
	return w.values[sort.SearchFloat64s(w.cum, x)]
}

// Distributions of the seeded cases: most open cases are early or in the
// middle of the lifecycle, about 40% of all cases are closed.
var (
	seedStages = newWeighted[cases.Stage](cases.FirstContact, 10.0, cases.Screening, 11.0, cases.ReasonableGrounds, 9.0,
		cases.CrisisIntervention, 5.0, cases.Reflection, 10.0, cases.FormalDecision, 5.0, cases.LongTerm, 6.0,
		cases.Inclusion, 2.0, cases.Return, 1.0, cases.Resettlement, 1.0, cases.Closed, 40.0)
	seedRiskOpen   = newWeighted[string]("", 25.0, "low", 25.0, "medium", 27.0, "high", 17.0, "critical", 6.0)
	seedRiskClosed = newWeighted[string]("", 40.0, "low", 30.0, "medium", 20.0, "high", 8.0, "critical", 2.0)
	seedAgeBands   = newWeighted[string]("0-11", 2.0, "12-17", 10.0, "18-24", 25.0, "25-34", 30.0, "35-49", 23.0,
		"50+", 7.0, "unknown", 3.0)
	seedGenders = newWeighted[string]("feminine", 55.0, "masculine", 40.0, "transgender_feminine", 1.0,
		"transgender_masculine", 0.5, "non_conforming", 0.5, "unknown", 3.0)
	seedExploitation = newWeighted[string]("labour", 40.0, "sexual", 35.0, "domestic_servitude", 8.0, "begging", 4.0,
		"criminality", 6.0, "forced_marriage", 2.0, "organ_removal", 0.2, "other_exploitation", 1.0, "other", 3.8)
	seedOrigins  = newWeighted[string](cases.FromReferral, 50.0, cases.FromReport, 10.0, cases.Direct, 35.0, cases.Imported, 5.0)
	seedContacts = newWeighted[string]("through_worker", 40.0, "in_person", 15.0, "phone", 20.0, "messenger", 10.0,
		"email", 3.0, "through_shelter", 10.0, "none", 2.0)
)

// caseOrg is an organisation that owns seeded cases.
type caseOrg struct {
	id      string
	workers []string
}

// caseSeed is the state of one seeding run.
type caseSeed struct {
	a       *app.App
	out     io.Writer
	r       *rand.Rand
	now     time.Time
	orgs    []caseOrg
	cum     []float64 // cumulative share of the cases, by organisation
	tokens  map[string][]byte
	kinds   []string
	codeAt  uint64 // where this run's case codes start
	stmts   map[string]string
	perStmt int // rows of one INSERT
	rows    int64
	started time.Time
	// pending group: the next groupLeft cases join groupID in groupOrg.
	groupID   string
	groupOrg  int
	groupLeft int
	// late are the stages at or after the reflection period.
	late map[cases.Stage]bool
}

// seedCaseOrgs creates the organisations that own cases, with a skew (a
// Zipf-like share 1/k^1.2: the largest NGO owns about a quarter, the
// five largest well over half), and case workers in proportion.
func seedCaseOrgs(ctx context.Context, a *app.App, n int, tag, password string) ([]caseOrg, []float64, error) {
	count := min(max(n/200, 2), maxCaseOrgs)
	weights := make([]float64, count)
	total := 0.0
	for i := range weights {
		weights[i] = 1 / math.Pow(float64(i+1), 1.2)
		total += weights[i]
	}
	// Staff grow with the caseload: about one worker per 1,000 cases
	// (capped), at least one per organisation.
	staff := min(100, n/1000)
	orgs := make([]caseOrg, count)
	cum := make([]float64, count)
	acc := 0.0
	for i := range orgs {
		share := weights[i] / total
		acc += share
		cum[i] = acc
		kind := accounts.NGO
		if i%5 == 4 {
			kind = accounts.OrgKinds[i%len(accounts.OrgKinds)]
		}
		org, err := a.Accounts.CreateOrganisation(ctx, accounts.System, accounts.NewOrganisation{
			Name: fmt.Sprintf("Case bench organisation %02d %s", i, tag), Kind: kind})
		if err != nil {
			return nil, nil, fmt.Errorf("create organisation %d: %w", i, err)
		}
		orgs[i].id = org.ID
		for j := range 1 + int(share*float64(staff)) {
			u, err := a.Accounts.CreateUserWithPassword(ctx, accounts.NewUser{
				OrgID: org.ID, Username: fmt.Sprintf("cb%s-%02d-%03d", tag, i, j), Role: access.CaseWorker,
				Password: password, Profile: accounts.Profile{DisplayName: fmt.Sprintf("Case worker %d-%d", i, j)}})
			if err != nil {
				return nil, nil, fmt.Errorf("create case worker %d-%d: %w", i, j, err)
			}
			orgs[i].workers = append(orgs[i].workers, u.ID)
		}
	}
	cum[count-1] = 1
	return orgs, cum, nil
}

// newRunTag returns a short random tag, so that seeding twice into one
// PostgreSQL database does not collide on unique names and codes.
func newRunTag() (string, uint64) {
	var b [8]byte
	_, _ = crand.Read(b[:]) // crypto/rand.Read never fails
	return hex.EncodeToString(b[:2]), binary.LittleEndian.Uint64(b[:])
}

// seedCases inserts n cases with raw multi-row INSERTs in large
// transactions, and prints progress.
func (s *caseSeed) seedCases(ctx context.Context, n int) error {
	s.started = time.Now()
	last := s.started
	for done := 0; done < n; {
		size := min(seedTx, n-done)
		err := s.a.DB.Write(ctx, func(tx *storage.Tx) error {
			for i := 0; i < size; i += seedRows {
				if err := s.batch(ctx, tx, done+i, min(seedRows, size-i)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("seed cases %d-%d: %w", done, done+size, err)
		}
		done += size
		if time.Since(last) >= 3*time.Second || done == n {
			last = time.Now()
			el := time.Since(s.started)
			fmt.Fprintf(s.out, "  seeded %d of %d cases, %d rows in %s (%.0f rows/s, %.0f cases/s)\n",
				done, n, s.rows, el.Round(time.Second), float64(s.rows)/el.Seconds(), float64(done)/el.Seconds())
		}
	}
	return nil
}

// Columns of the seeded tables.
var (
	caseCols = []string{"id", "code", "org_id", "group_id", "origin", "origin_id", "stage", "stage_since", "closed_from",
		"close_reason", "worker_id", "gender", "age_band", "age_estimated", "child", "majority_month", "citizenships",
		"languages", "interpreter", "contact_method", "exploitation", "risk_level", "reflection_start", "reflection_end",
		"identity", "created_by", "created_at", "updated_at", "closed_at"}
	groupCols    = []string{"id", "org_id", "code", "created_by", "created_at"}
	memberCols   = []string{"case_id", "user_id", "org_id", "added_by", "added_at"}
	deadlineCols = []string{"kind", "ref_id", "case_id", "org_id", "user_id", "due_on", "remind_on"}
	searchCols   = []string{"case_id", "token", "org_id"}
	consentCols  = []string{"id", "case_id", "purposes", "orgs", "categories", "language", "interpreter", "method",
		"given_by", "given_on", "recorded_by", "recorded_at"}
	shareCols = []string{"id", "case_id", "from_org", "to_org", "kind", "categories", "consent_id", "status",
		"created_by", "created_at", "responded_by", "responded_at"}
)

// batch generates and inserts cases [from, from+n) and their rows.
func (s *caseSeed) batch(ctx context.Context, tx *storage.Tx, from, n int) error {
	var cs, groups, members, deadlines, search, consents, shares []any
	r := s.r
	today := s.now.Truncate(24 * time.Hour)
	for i := from; i < from+n; i++ {
		id := cases.NewID()
		oi := s.pickOrg()
		var groupID any
		switch {
		case s.groupLeft > 0:
			oi, groupID = s.groupOrg, s.groupID
			s.groupLeft--
		case r.Float64() < 0.0125: // groups of 2-6, about 5% of cases
			s.groupID, s.groupOrg, s.groupLeft = cases.NewID(), oi, 1+r.IntN(5)
			groupID = s.groupID
			groups = append(groups, s.groupID, s.orgs[oi].id, s.code("G", i), s.worker(oi), s.now.Add(-time.Duration(r.IntN(700))*24*time.Hour))
		}
		org := s.orgs[oi]
		worker := s.worker(oi)
		stage := seedStages.pick(r)
		closed := stage == cases.Closed
		age := 2 * 365 * 24 * time.Hour
		if closed {
			age = 5 * 365 * 24 * time.Hour
		}
		created := s.now.Add(-time.Duration(r.Int64N(int64(age)))).Truncate(time.Microsecond)
		updated := created.Add(time.Duration(r.Int64N(int64(s.now.Sub(created)) + 1))).Truncate(time.Microsecond)
		since := created.Add(time.Duration(r.Int64N(int64(updated.Sub(created)) + 1))).Truncate(time.Microsecond)
		var closedAt any
		closedFrom, reason, risk := "", "", seedRiskOpen.pick(r)
		if closed {
			closedAt, closedFrom, reason, risk = updated, string(seedStages.values[r.IntN(7)]), "assistance_completed", seedRiskClosed.pick(r)
		}
		origin, originID := seedOrigins.pick(r), ""
		if origin == cases.FromReferral || origin == cases.FromReport {
			originID = cases.NewID()
		}
		band := seedAgeBands.pick(r)
		child, majority := 0, ""
		estimated := r.IntN(10) < 3
		if band == "0-11" || band == "12-17" {
			child = 1
			if !estimated {
				m := today.AddDate(0, 1+r.IntN(72), 0)
				majority = time.Date(m.Year(), m.Month(), 1, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
			}
		}
		cit := benchCitizenships[r.IntN(len(benchCitizenships))]
		expl := `["` + seedExploitation.pick(r) + `"]`
		if r.IntN(100) < 15 {
			// Labour or sexual exploitation together with one of the others.
			expl = `["` + seedExploitation.values[r.IntN(2)] + `","` + seedExploitation.values[2+r.IntN(len(seedExploitation.values)-2)] + `"]`
		}
		reflStart, reflEnd := "", ""
		if s.late[stage] {
			start := since
			if stage != cases.Reflection {
				start = created.Add(since.Sub(created) / 2)
			}
			reflStart, reflEnd = start.Format(time.DateOnly), start.AddDate(0, 0, 90).Format(time.DateOnly)
		}
		identity := make([]byte, identityBytes)
		for j := 0; j < len(identity); j += 8 {
			binary.LittleEndian.PutUint64(identity[j:], r.Uint64())
		}
		cs = append(cs, id, s.code("C", i), org.id, groupID, origin, originID, string(stage), since, closedFrom, reason,
			worker, seedGenders.pick(r), band, storage.Flag(estimated), child, majority, `["`+cit.country+`"]`,
			`["`+cit.language+`"]`, storage.Flag(r.IntN(10) < 6), seedContacts.pick(r), expl, risk, reflStart, reflEnd,
			identity, worker, created, updated, closedAt)

		given, family := benchGivenNames[r.IntN(len(benchGivenNames))], benchSurnames[r.IntN(len(benchSurnames))]
		names := []string{given, family}
		if r.IntN(10) == 0 {
			names = append(names, benchSurnames[r.IntN(len(benchSurnames))])
		}
		for j, w := range names {
			// A word twice (an alias equal to the surname) is one token.
			if !slices.Contains(names[:j], w) {
				search = append(search, id, s.tokens[w], org.id)
			}
		}
		if closed {
			continue
		}
		if len(org.workers) > 1 && r.IntN(5) == 0 {
			if m := s.worker(oi); m != worker {
				members = append(members, id, m, org.id, worker, created)
			}
		}
		for range 1 + r.IntN(3) {
			due := today.AddDate(0, 0, r.IntN(151)-30)
			var user any
			if r.IntN(10) < 3 {
				user = s.worker(oi)
			}
			deadlines = append(deadlines, s.kinds[r.IntN(len(s.kinds))], cases.NewID(), id, org.id, user,
				due.Format(time.DateOnly), due.AddDate(0, 0, -7).Format(time.DateOnly))
		}
		if len(s.orgs) > 1 && r.IntN(100) == 0 { // about 1% shared with another organisation
			to := s.pickOrg()
			if to == oi {
				to = (oi + 1) % len(s.orgs)
			}
			consent := cases.NewID()
			consents = append(consents, consent, id, `["case_management","sharing"]`, `["`+s.orgs[to].id+`"]`,
				`["assistance","risk"]`, cit.language, 1, "written", "person", created.Format(time.DateOnly), worker, created)
			shares = append(shares, cases.NewID(), id, org.id, s.orgs[to].id, "share", `["assistance","risk"]`, consent,
				"accepted", worker, created, s.orgs[to].workers[0], created)
		}
	}
	for _, t := range []struct {
		table string
		cols  []string
		vals  []any
	}{{"case_groups", groupCols, groups}, {"cases", caseCols, cs}, {"case_members", memberCols, members},
		{"case_deadlines", deadlineCols, deadlines}, {"case_search", searchCols, search},
		{"case_consents", consentCols, consents}, {"case_shares", shareCols, shares}} {
		if err := s.insert(ctx, tx, t.table, t.cols, t.vals); err != nil {
			return err
		}
	}
	return nil
}

// insert writes vals (rows of len(cols) values) in multi-row INSERTs of at
// most seedRows rows.
func (s *caseSeed) insert(ctx context.Context, tx *storage.Tx, table string, cols []string, vals []any) error {
	per := len(cols) * s.perStmt
	for len(vals) > 0 {
		chunk := vals[:min(per, len(vals))]
		vals = vals[len(chunk):]
		rows := len(chunk) / len(cols)
		key := table + "/" + strconv.Itoa(rows)
		q, ok := s.stmts[key]
		if !ok {
			var b strings.Builder
			b.WriteString("INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES ")
			for r := range rows {
				if r > 0 {
					b.WriteString(", ")
				}
				b.WriteByte('(')
				for c := range cols {
					if c > 0 {
						b.WriteString(", ")
					}
					b.WriteString("$" + strconv.Itoa(r*len(cols)+c+1))
				}
				b.WriteByte(')')
			}
			q = b.String()
			s.stmts[key] = q
		}
		if _, err := tx.ExecContext(ctx, q, chunk...); err != nil {
			return fmt.Errorf("insert %d rows into %s: %w", rows, table, err)
		}
		s.rows += int64(rows)
	}
	return nil
}

func (s *caseSeed) pickOrg() int {
	return min(sort.SearchFloat64s(s.cum, s.r.Float64()), len(s.orgs)-1)
}

func (s *caseSeed) worker(oi int) string {
	w := s.orgs[oi].workers
	return w[s.r.IntN(len(w))]
}

// code returns the i-th code of this run: an affine map of i modulo 31^8
// (the multiplier is coprime to 31) from a random start, so codes are
// unique within a run without a lookup and look as random as real ones.
func (s *caseSeed) code(prefix string, i int) string {
	const space = 31 * 31 * 31 * 31 * 31 * 31 * 31 * 31
	const alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
	x := (s.codeAt%space + uint64(i)*0x9E3779B1%space) % space
	out := []byte(prefix + "-XXXX-XXXX")
	for _, p := range []int{10, 9, 8, 7, 5, 4, 3, 2} {
		out[p] = alphabet[x%31]
		x /= 31
	}
	return string(out)
}
