package procurement_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/notify"
	"waymark.city/waymark/internal/notify/smtptest"
	"waymark.city/waymark/internal/procurement"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

func TestMain(m *testing.M) { os.Exit(storagetest.Main(m)) }

func day(offset int) string { return time.Now().UTC().AddDate(0, 0, offset).Format(time.DateOnly) }

func rated(levels ...string) []procurement.Rating {
	var out []procurement.Rating
	for i, c := range procurement.Characteristics() {
		if i < len(levels) && levels[i] != "" {
			out = append(out, procurement.Rating{Characteristic: c, Level: levels[i], Reason: "because " + c})
		}
	}
	return out
}

func TestOverall(t *testing.T) {
	const h, m, l = procurement.High, procurement.Medium, procurement.Low
	for _, tc := range []struct {
		levels []string
		want   string
	}{
		{[]string{l, l, l, l, l, l}, l},
		{[]string{m, l, l, l, l, l}, l},
		{[]string{m, l, l, l, l, m}, m},
		{[]string{m, m, m, m, m, m}, m},
		{[]string{l, l, l, l, l, h}, h},
		{[]string{h, m, m, l, l, l}, h},
		{[]string{h, h, h, h, h, h}, h},
		{[]string{h, h, h, h, h, ""}, ""},
		{nil, ""},
	} {
		if got := procurement.Overall(rated(tc.levels...)); got != tc.want {
			t.Errorf("Overall(%v) = %q, want %q", tc.levels, got, tc.want)
		}
	}
}

func TestCPVLabel(t *testing.T) {
	for code, want := range map[string]bool{"90910000-9": true, "03000000-1": true, "98910000-5": true, "90910000-8": false,
		"99999999-9": false, "90910000": false, "9091000-9": false, " 90910000-9": false, "": false} {
		if _, ok := procurement.CPVLabel(code); ok != want {
			t.Errorf("CPVLabel(%q) = %v, want %v", code, ok, want)
		}
	}
	if l, _ := procurement.CPVLabel("90910000-9"); l != "Cleaning services" {
		t.Errorf("label %q", l)
	}
}

type fixture struct {
	env                          *apptest.Env
	svc                          *procurement.Service
	officer, coordinator, worker apptest.User
}

func newFixture(t *testing.T, env *apptest.Env) *fixture {
	t.Helper()
	city := env.Org("City of Example", accounts.Municipality)
	ngo := env.Org("Safe Harbour", accounts.NGO)
	return &fixture{env: env, svc: env.App.Procurement,
		officer:     env.User("buyer", access.ProcurementOfficer, city),
		coordinator: env.User("coord", access.Coordinator, city),
		worker:      env.User("worker", access.CaseWorker, ngo)}
}

func wantErr(t *testing.T, what string, err error, code apperr.Code, key string) {
	t.Helper()
	if !apperr.Is(err, code) {
		t.Fatalf("%s: error %v, want %s", what, err, code)
	}
	if key == "" {
		return
	}
	e := apperr.As(err)
	if e.Key == key || slices.ContainsFunc(e.Fields, func(f apperr.FieldError) bool { return f.Key == key }) {
		return
	}
	t.Fatalf("%s: key %q, fields %+v, want %q", what, e.Key, e.Fields, key)
}

// snapshot is every procurement row, for refusals that must change nothing.
func snapshot(t *testing.T, env *apptest.Env) string {
	t.Helper()
	ctx := context.Background()
	var b strings.Builder
	err := env.App.DB.Read(ctx, func(tx *storage.Tx) error {
		for _, q := range []string{
			`SELECT id || '|' || authority || '|' || subject || '|' || cpv || '|' || value_minor || '|' || currency || '|' || starts_on || '|' || ends_on || '|' || COALESCE(supplier_id, '') || '|' || goods || '|' || risk || '|' || status || '|' || chain || '|' || review_on FROM procurement_contracts ORDER BY id`,
			`SELECT contract_id || '|' || characteristic || '|' || level || '|' || reason FROM procurement_ratings ORDER BY contract_id, characteristic`,
			`SELECT id || '|' || legal_name || '|' || country || '|' || statement || '|' || statement_year FROM procurement_suppliers ORDER BY id`,
			`SELECT id || '|' || contract_id || '|' || supplier_id || '|' || tier FROM procurement_subcontracts ORDER BY id`,
			`SELECT id || '|' || name || '|' || COALESCE(workers, -1) || '|' || migrant_share || '|' || agency_share || '|' || seasonal_share FROM procurement_sites ORDER BY id`,
			`SELECT id || '|' || kind || '|' || edition_on || '|' || entries || '|' || COALESCE(replaced_at, imported_at) FROM procurement_risk_lists ORDER BY id`,
			`SELECT list_id || '|' || good || '|' || country || '|' || country_code FROM procurement_risk_entries ORDER BY list_id, good_key, country`,
		} {
			rows, err := tx.QueryContext(ctx, q)
			if err != nil {
				return err
			}
			for rows.Next() {
				var s string
				if err := rows.Scan(&s); err != nil {
					rows.Close()
					return err
				}
				b.WriteString(s + "\n")
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func supplier(t *testing.T, f *fixture, name, country, statement string) procurement.Supplier {
	t.Helper()
	in := procurement.SupplierInput{LegalName: name, Country: country, Statement: statement}
	if statement == "yes" {
		in.StatementYear, in.StatementBoard, in.StatementSigned = "2025", true, true
	}
	s, err := f.svc.CreateSupplier(context.Background(), f.officer.Actor, in)
	if err != nil {
		t.Fatalf("supplier %s: %v", name, err)
	}
	return s
}

func cleaningInput(supplierID string) procurement.ContractInput {
	return procurement.ContractInput{Authority: "City of Example", Subject: "Office cleaning of the town hall", CPV: "90910000-9",
		Value: "184000.50", Currency: "eur", StartsOn: day(-10), EndsOn: day(700), SupplierID: supplierID,
		Goods: "Cleaning services\nGloves, gloves", SocialClause: true, SlaveryClause: true, ReviewOn: day(20), RemindDays: "30"}
}

func missingKeys(m []procurement.Missing) []string {
	var out []string
	for _, x := range m {
		out = append(out, x.Key)
	}
	return out
}

func TestContractAward(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, apptest.Start(t, engine))
			ctx := context.Background()
			cleaner := supplier(t, f, "Brightline Cleaning GmbH", "AT", "")
			agency := supplier(t, f, "FlexStaff SRL", "RO", "")
			c, err := f.svc.CreateContract(ctx, f.officer.Actor, cleaningInput(cleaner.ID))
			if err != nil {
				t.Fatalf("create: %v", err)
			}
			if c.Value != 18400050 || c.Currency != "EUR" || c.Status != procurement.Draft || c.Risk != "" || len(c.Goods) != 2 || c.SupplierName != cleaner.LegalName {
				t.Fatalf("created %+v", c)
			}
			if !c.ReviewDue(day(0)) || c.ReviewDue(day(-15)) {
				t.Errorf("review in 20 days reminded 30 days before: %v", c.ReviewDue(day(0)))
			}

			before := snapshot(t, f.env)
			for _, tc := range []struct {
				name  string
				actor access.Actor
				edit  func(*procurement.ContractInput)
				code  apperr.Code
				key   string
			}{
				{"coordinator", f.coordinator.Actor, func(*procurement.ContractInput) {}, apperr.Forbidden, ""},
				{"case worker", f.worker.Actor, func(*procurement.ContractInput) {}, apperr.Forbidden, ""},
				{"ends before it starts", f.officer.Actor, func(in *procurement.ContractInput) { in.EndsOn = day(-11) }, apperr.Invalid, "procurement.error.ends_before_start"},
				{"unknown CPV code", f.officer.Actor, func(in *procurement.ContractInput) { in.CPV = "90910000-8" }, apperr.Invalid, "procurement.error.cpv"},
				{"CPV without check digit", f.officer.Actor, func(in *procurement.ContractInput) { in.CPV = "90910000" }, apperr.Invalid, "procurement.error.cpv"},
				{"value with a comma", f.officer.Actor, func(in *procurement.ContractInput) { in.Value = "184,000" }, apperr.Invalid, "procurement.error.value"},
				{"negative value", f.officer.Actor, func(in *procurement.ContractInput) { in.Value = "-5" }, apperr.Invalid, "procurement.error.value"},
				{"bad currency", f.officer.Actor, func(in *procurement.ContractInput) { in.Currency = "EURO" }, apperr.Invalid, "procurement.error.currency"},
				{"unknown supplier", f.officer.Actor, func(in *procurement.ContractInput) { in.SupplierID = "01900000-0000-7000-8000-000000000000" }, apperr.Invalid, "procurement.error.supplier_unknown"},
				{"no subject", f.officer.Actor, func(in *procurement.ContractInput) { in.Subject = " " }, apperr.Invalid, "procurement.error.subject"},
			} {
				in := cleaningInput(cleaner.ID)
				tc.edit(&in)
				_, err := f.svc.CreateContract(ctx, tc.actor, in)
				wantErr(t, "create, "+tc.name, err, tc.code, tc.key)
				_, err = f.svc.UpdateContract(ctx, tc.actor, c.ID, in)
				wantErr(t, "update, "+tc.name, err, tc.code, tc.key)
			}
			_, err = f.svc.Rate(ctx, f.officer.Actor, c.ID, append(rated(procurement.High, "", "", "", "", ""),
				procurement.Rating{Characteristic: procurement.Workforce, Level: procurement.High}))
			wantErr(t, "rating without reasons", err, apperr.Invalid, "procurement.error.reason")
			_, err = f.svc.Rate(ctx, f.officer.Actor, c.ID, rated("severe", "low", "low", "low", "low", "low"))
			wantErr(t, "rating with a bad level", err, apperr.Invalid, "procurement.error.level")
			_, err = f.svc.Rate(ctx, f.coordinator.Actor, c.ID, rated("high", "low", "low", "low", "low", "low"))
			wantErr(t, "coordinator rates", err, apperr.Forbidden, "")
			if after := snapshot(t, f.env); after != before {
				t.Fatalf("refused input changed the data:\nbefore %s\nafter %s", before, after)
			}

			missing, err := f.svc.Missing(ctx, f.coordinator.Actor, c.ID)
			if err != nil || !slices.Equal(missingKeys(missing), []string{"procurement.missing.rating"}) {
				t.Fatalf("unrated: %v, %v", missingKeys(missing), err)
			}
			// Unrated, it is not called high-risk: the refusal says only
			// that something is missing (the rating).
			err = f.svc.SetStatus(ctx, f.officer.Actor, c.ID, procurement.Awarded)
			wantErr(t, "award unrated", err, apperr.Conflict, "procurement.error.award_missing")
			if e := apperr.As(err); e.Key != "procurement.error.award_missing" || e.Fields[len(e.Fields)-1].Key != "procurement.missing.rating" {
				t.Fatalf("unrated award refusal: %+v", e)
			}
			if c, err = f.svc.Rate(ctx, f.officer.Actor, c.ID, rated("high", "high", "low", "medium", "low", "high")); err != nil || c.Risk != procurement.High || len(c.Ratings) != 6 {
				t.Fatalf("rate: %+v, %v", c, err)
			}
			before = snapshot(t, f.env)
			err = f.svc.SetStatus(ctx, f.officer.Actor, c.ID, procurement.Awarded)
			wantErr(t, "award without supply chain", err, apperr.Conflict, "procurement.error.award_missing_chain")
			var refused []string
			for _, fe := range apperr.As(err).Fields {
				refused = append(refused, strings.TrimSpace(fe.Key+" "+anyString(fe.Args["name"])))
			}
			want := []string{"procurement.error.award_missing_chain", "procurement.missing.statement Brightline Cleaning GmbH", "procurement.missing.chain", "procurement.missing.sites"}
			if !slices.Equal(refused, want) {
				t.Fatalf("award refusal names %v, want %v", refused, want)
			}
			if after := snapshot(t, f.env); after != before {
				t.Fatalf("refused award changed the data")
			}

			// The chain: the agency is tier 2; a site of it without figures.
			k, err := f.svc.AddSubcontract(ctx, f.officer.Actor, c.ID, cleaner.ID, agency.ID)
			if err != nil || k.Tier != 2 {
				t.Fatalf("subcontract: %+v, %v", k, err)
			}
			_, err = f.svc.AddSubcontract(ctx, f.officer.Actor, c.ID, cleaner.ID, agency.ID)
			wantErr(t, "subcontract twice", err, apperr.Invalid, "procurement.error.already_in_chain")
			err = f.svc.DeclareChain(ctx, f.officer.Actor, c.ID, "none")
			wantErr(t, "no chain with a subcontractor", err, apperr.Invalid, "procurement.error.chain_has_subcontracts")
			site := procurement.SiteInput{SupplierID: agency.ID, Name: "Town Hall", Address: "1 Main Square", Country: "at", Type: "premises"}
			s, err := f.svc.CreateSite(ctx, f.officer.Actor, c.ID, site)
			if err != nil || s.HasWorkforce || s.Country != "AT" {
				t.Fatalf("site: %+v, %v", s, err)
			}
			other := supplier(t, f, "Elsewhere Ltd", "GB", "yes")
			before = snapshot(t, f.env)
			for name, tc := range map[string]struct {
				edit func(*procurement.SiteInput)
				key  string
			}{
				"share over 100":      {func(in *procurement.SiteInput) { in.Workers, in.MigrantShare = "14", "101" }, "procurement.error.share"},
				"negative share":      {func(in *procurement.SiteInput) { in.Workers, in.AgencyShare = "14", "-1" }, "procurement.error.share"},
				"supplier not in it":  {func(in *procurement.SiteInput) { in.SupplierID = other.ID }, "procurement.error.site_supplier"},
				"unknown country":     {func(in *procurement.SiteInput) { in.Country = "XX" }, "procurement.error.country"},
				"unknown type":        {func(in *procurement.SiteInput) { in.Type = "castle" }, "procurement.error.site_type"},
				"workers not a count": {func(in *procurement.SiteInput) { in.Workers = "many" }, "procurement.error.workers"},
			} {
				in := site
				tc.edit(&in)
				_, err := f.svc.CreateSite(ctx, f.officer.Actor, c.ID, in)
				wantErr(t, "create site, "+name, err, apperr.Invalid, tc.key)
				_, err = f.svc.UpdateSite(ctx, f.officer.Actor, s.ID, in)
				wantErr(t, "update site, "+name, err, apperr.Invalid, tc.key)
			}
			if after := snapshot(t, f.env); after != before {
				t.Fatalf("refused site changed the data")
			}
			missing, _ = f.svc.Missing(ctx, f.officer.Actor, c.ID)
			if got := missingKeys(missing); !slices.Equal(got, []string{"procurement.missing.statement", "procurement.missing.statement", "procurement.missing.workforce"}) {
				t.Fatalf("missing after chain and site: %v", got)
			}

			// Everything recorded: the award goes through.
			for _, sup := range []procurement.Supplier{cleaner, agency} {
				if _, err := f.svc.UpdateSupplier(ctx, f.officer.Actor, sup.ID, procurement.SupplierInput{LegalName: sup.LegalName, Country: sup.Country, Statement: "no"}); err != nil {
					t.Fatal(err)
				}
			}
			site.Workers, site.MigrantShare, site.AgencyShare = "14", "80", "100"
			if s, err = f.svc.UpdateSite(ctx, f.officer.Actor, s.ID, site); err != nil || !s.HasWorkforce || s.Workers != 14 || s.MigrantShare != 80 {
				t.Fatalf("site figures: %+v, %v", s, err)
			}
			if err := f.svc.SetStatus(ctx, f.officer.Actor, c.ID, procurement.Awarded); err != nil {
				t.Fatalf("award: %v", err)
			}
			got, err := f.svc.Site(ctx, f.coordinator.Actor, s.ID)
			if err != nil || got.ContractID != c.ID || got.SupplierID != agency.ID || got.AgencyShare != 100 {
				t.Fatalf("Site: %+v, %v", got, err)
			}
			if _, err := f.svc.Site(ctx, f.worker.Actor, s.ID); !apperr.Is(err, apperr.Forbidden) {
				t.Errorf("case worker reads a site: %v", err)
			}
			_, err = f.svc.UpdateContract(ctx, f.officer.Actor, c.ID, cleaningInput(other.ID))
			wantErr(t, "new supplier after award", err, apperr.Invalid, "procurement.error.supplier_fixed")
			err = f.svc.SetStatus(ctx, f.officer.Actor, c.ID, procurement.Draft)
			wantErr(t, "back to draft", err, apperr.Invalid, "procurement.error.status_back")

			// A low-risk contract needs only a supplier and its rating.
			low, err := f.svc.CreateContract(ctx, f.officer.Actor, procurement.ContractInput{Authority: "City", Subject: "Paper",
				CPV: "30197630-1", Value: "100", Currency: "EUR", StartsOn: day(0), EndsOn: day(0), SupplierID: other.ID})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.svc.Rate(ctx, f.officer.Actor, low.ID, rated("medium", "low", "low", "low", "low", "low")); err != nil {
				t.Fatal(err)
			}
			if err := f.svc.SetStatus(ctx, f.officer.Actor, low.ID, procurement.Awarded); err != nil {
				t.Fatalf("award low risk: %v", err)
			}
		})
	}
}

func anyString(v any) string {
	s, _ := v.(string)
	return s
}

const tvpraCSV = "\ufeffCountry,Good,Child Labor,Forced Labor\nMalaysia,Gloves,,X\nRomania,Cleaning services,,X\nIndia,Bricks,X,X\n"

func TestRiskListsAndHits(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, apptest.Start(t, engine))
			ctx := context.Background()
			first, err := f.svc.ImportTVPRA(ctx, f.officer.Actor, "tvpra-2024.csv", day(-30), strings.NewReader(tvpraCSV))
			if err != nil || first.Entries != 3 {
				t.Fatalf("import: %+v, %v", first, err)
			}
			before := snapshot(t, f.env)
			for name, tc := range map[string]struct {
				file, edition, key string
				column             string
			}{
				"missing column":  {"Country,Good,Child Labor\nMalaysia,Gloves,\n", day(0), "procurement.error.column_missing", "Forced Labor"},
				"nothing marked":  {"Country,Good,Child Labor,Forced Labor\nMalaysia,Gloves,,\n", day(0), "procurement.error.tvpra_row", ""},
				"empty":           {"Country,Good,Child Labor,Forced Labor\n", day(0), "procurement.error.file_empty", ""},
				"edition to come": {tvpraCSV, day(5), "procurement.error.edition_on", ""},
			} {
				_, err := f.svc.ImportTVPRA(ctx, f.officer.Actor, "bad.csv", tc.edition, strings.NewReader(tc.file))
				wantErr(t, name, err, apperr.Invalid, tc.key)
				if tc.column != "" {
					if got := apperr.As(err).Fields[0].Args["column"]; got != tc.column {
						t.Errorf("%s: names column %v, want %s", name, got, tc.column)
					}
				}
			}
			_, err = f.svc.ImportOperatorList(ctx, f.officer.Actor, "Our notes", "notes.csv", day(0), strings.NewReader("commodity,country,level\nx,,high\n"))
			wantErr(t, "operator list without note column", err, apperr.Invalid, "procurement.error.column_missing")
			_, err = f.svc.ImportOperatorList(ctx, f.officer.Actor, "Our notes", "notes.csv", day(0), strings.NewReader("commodity,country,level,note\nx,,severe,\n"))
			wantErr(t, "operator list with a bad level", err, apperr.Invalid, "procurement.error.operator_row")
			_, err = f.svc.ImportTVPRA(ctx, f.coordinator.Actor, "tvpra.csv", day(0), strings.NewReader(tvpraCSV))
			wantErr(t, "coordinator imports", err, apperr.Forbidden, "")
			if after := snapshot(t, f.env); after != before {
				t.Fatalf("refused import changed the data:\nbefore %s\nafter %s", before, after)
			}
			// A new edition replaces the old one at once; the old provenance stays.
			second, err := f.svc.ImportTVPRA(ctx, f.officer.Actor, "tvpra-2025.csv", day(-1), strings.NewReader(tvpraCSV+"Bangladesh,Garments,X,\n"))
			if err != nil || second.Entries != 4 {
				t.Fatalf("second import: %+v, %v", second, err)
			}
			if _, err := f.svc.ImportOperatorList(ctx, f.officer.Actor, "Our notes", "notes.csv", day(0),
				strings.NewReader("commodity,country,level,note\n,RO,medium,Agency recruitment\nCleaning services,,medium,Night work\n")); err != nil {
				t.Fatal(err)
			}
			lists, err := f.svc.RiskLists(ctx, f.coordinator.Actor)
			if err != nil || len(lists) != 3 || lists[len(lists)-1].ID != first.ID || !lists[len(lists)-1].Replaced || lists[0].Replaced || lists[0].ImportedBy != "buyer" {
				t.Fatalf("lists: %+v, %v", lists, err)
			}

			cleaner := supplier(t, f, "Brightline Cleaning GmbH", "AT", "yes")
			agency := supplier(t, f, "FlexStaff SRL", "RO", "no")
			c, err := f.svc.CreateContract(ctx, f.officer.Actor, cleaningInput(cleaner.ID))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.svc.AddSubcontract(ctx, f.officer.Actor, c.ID, cleaner.ID, agency.ID); err != nil {
				t.Fatal(err)
			}
			s, err := f.svc.CreateSite(ctx, f.officer.Actor, c.ID, procurement.SiteInput{SupplierID: agency.ID, Name: "Depot",
				Address: "2 Dock Road", Country: "RO", Type: "warehouse", Workers: "5"})
			if err != nil {
				t.Fatal(err)
			}
			hits, err := f.svc.ContractHits(ctx, f.coordinator.Actor, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, h := range hits {
				got = append(got, h.Kind+" "+h.Good+"/"+h.CountryCode+" "+map[bool]string{true: "chain", false: "elsewhere"}[h.CountryMatched]+" "+h.EditionOn)
			}
			want := []string{
				"tvpra Cleaning services/RO chain " + day(-1),
				"operator /RO chain " + day(0),
				"tvpra Gloves/MY elsewhere " + day(-1),
				"operator Cleaning services/ elsewhere " + day(0),
			}
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Fatalf("contract hits %v, want %v", got, want)
			}
			siteHits, err := f.svc.SiteHits(ctx, f.officer.Actor, s.ID)
			if err != nil || len(siteHits) != 2 || !siteHits[0].CountryMatched || !siteHits[1].CountryMatched {
				t.Fatalf("site hits %+v, %v", siteHits, err)
			}
		})
	}
}

func TestExports(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, apptest.Start(t, engine))
			ctx := context.Background()
			s := supplier(t, f, "=HYPERLINK(\"x\") Cleaning", "AT", "yes")
			c, err := f.svc.CreateContract(ctx, f.officer.Actor, cleaningInput(s.ID))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.svc.Rate(ctx, f.officer.Actor, c.ID, rated("high", "medium", "low", "low", "low", "low")); err != nil {
				t.Fatal(err)
			}
			e, err := f.svc.ExportContracts(ctx, f.coordinator.Actor)
			if err != nil {
				t.Fatal(err)
			}
			p := f.env.App.Catalog.For("en")
			var buf bytes.Buffer
			if err := e.WriteCSV(&buf, p); err != nil {
				t.Fatal(err)
			}
			rows, err := csv.NewReader(&buf).ReadAll()
			if err != nil || len(rows) != 2 {
				t.Fatalf("CSV rows %v, %v", rows, err)
			}
			head := strings.Join(rows[0][:5], "|")
			if head != "ID|Contracting authority|Subject|CPV code|CPV description" || len(rows[0]) != 12+12+4 {
				t.Errorf("CSV head %q (%d columns)", head, len(rows[0]))
			}
			row := rows[1]
			for i, want := range map[int]string{0: c.ID, 3: "90910000-9", 4: "Cleaning services", 5: "184000.50", 6: "EUR",
				9: "'=HYPERLINK(\"x\") Cleaning", 10: "draft", 11: "high", 12: "high", 13: "because industry", 14: "medium", 24: "yes", 27: "Cleaning services; Gloves"} {
				if row[i] != want {
					t.Errorf("CSV column %d (%s) = %q, want %q", i, rows[0][i], row[i], want)
				}
			}
			buf.Reset()
			if err := e.WriteXLSX(&buf, f.env.App.Catalog.For("de")); err != nil {
				t.Fatal(err)
			}
			wb, err := excelize.OpenReader(&buf)
			if err != nil {
				t.Fatal(err)
			}
			defer wb.Close()
			xrows, err := wb.GetRows("Aufträge")
			if err != nil || len(xrows) != 2 || xrows[0][1] != "Öffentlicher Auftraggeber" || xrows[1][3] != "90910000-9" || xrows[1][11] != "hoch" || xrows[1][9] != "=HYPERLINK(\"x\") Cleaning" {
				t.Fatalf("XLSX rows %v, %v", xrows, err)
			}
			if formula, _ := wb.GetCellFormula("Aufträge", "J2"); formula != "" {
				t.Errorf("XLSX cell read as a formula: %q", formula)
			}
		})
	}
}

func TestReviewReminders(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, apptest.Start(t, engine))
			ctx := context.Background()
			s := supplier(t, f, "Brightline Cleaning GmbH", "AT", "yes")
			due, err := f.svc.CreateContract(ctx, f.officer.Actor, cleaningInput(s.ID))
			if err != nil {
				t.Fatal(err)
			}
			later := cleaningInput(s.ID)
			later.Subject, later.ReviewOn = "Window cleaning", day(200)
			if _, err := f.svc.CreateContract(ctx, f.officer.Actor, later); err != nil {
				t.Fatal(err)
			}
			srv, err := smtptest.Start()
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { srv.Close() })
			r := notify.Reminders{Mailer: notify.Mailer{Addr: srv.Addr(), From: "waymark@city.example"},
				PublicURL: "https://waymark.city.example", Catalog: f.env.App.Catalog,
				Address: func(ctx context.Context, userID string) (string, error) {
					p, err := f.env.App.Accounts.RevealProfile(ctx, accounts.System, userID)
					return p.Email, err
				}}
			if n, err := f.svc.SendReminders(ctx, r); err != nil || n != 1 {
				t.Fatalf("send: %d, %v", n, err)
			}
			msgs := srv.Wait(1, 5*time.Second)
			if len(msgs) != 1 || msgs[0].To[0] != "buyer@example.org" || !strings.Contains(msgs[0].Data, "/procurement/contracts/"+due.ID) ||
				strings.Contains(msgs[0].Data, "Window cleaning") {
				t.Fatalf("mails %+v", msgs)
			}
			if n, err := f.svc.SendReminders(ctx, r); err != nil || n != 0 {
				t.Errorf("second run: %d, %v", n, err)
			}
			list, err := f.svc.DueReviews(ctx, f.coordinator.Actor)
			if err != nil || len(list) != 1 || list[0].ID != due.ID {
				t.Errorf("due reviews %+v, %v", list, err)
			}
		})
	}
}

// TestContractPage reads the contract page's view: its sites a page at a
// time, with the rest of what the page shows from the same read.
func TestContractPage(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, apptest.Start(t, engine))
			ctx := context.Background()
			s := supplier(t, f, "Brightline Cleaning GmbH", "AT", "yes")
			c, err := f.svc.CreateContract(ctx, f.officer.Actor, cleaningInput(s.ID))
			if err != nil {
				t.Fatal(err)
			}
			n := procurement.SitePageSize + 3
			for i := range n {
				if _, err := f.svc.CreateSite(ctx, f.officer.Actor, c.ID, procurement.SiteInput{SupplierID: s.ID,
					Name: fmt.Sprintf("Site %03d", i), Address: "Main Square", Country: "AT", Type: "office"}); err != nil {
					t.Fatal(err)
				}
			}
			first, err := f.svc.ContractPage(ctx, f.coordinator.Actor, c.ID, 0)
			if err != nil || first.SiteCount != n || len(first.Sites) != procurement.SitePageSize || first.Sites[0].Name != "Site 000" {
				t.Fatalf("first page: %d of %d, %v", len(first.Sites), first.SiteCount, err)
			}
			if first.Contract.ID != c.ID || first.Contract.SupplierName != s.LegalName || len(first.Chain) != 0 {
				t.Errorf("contract in its page: %+v, chain %+v", first.Contract, first.Chain)
			}
			if want, err := f.svc.Missing(ctx, f.coordinator.Actor, c.ID); err != nil || !slices.Equal(missingKeys(first.Missing), missingKeys(want)) {
				t.Errorf("missing in the page %v, alone %v (%v)", missingKeys(first.Missing), missingKeys(want), err)
			}
			last, err := f.svc.ContractPage(ctx, f.coordinator.Actor, c.ID, procurement.SitePageSize)
			if err != nil || len(last.Sites) != 3 || last.Sites[2].Name != fmt.Sprintf("Site %03d", n-1) {
				t.Fatalf("last page: %+v, %v", last.Sites, err)
			}
			if all, err := f.svc.Sites(ctx, f.coordinator.Actor, c.ID); err != nil || len(all) != n {
				t.Fatalf("all sites: %d, %v", len(all), err)
			}
			if _, err := f.svc.ContractPage(ctx, f.worker.Actor, c.ID, 0); !apperr.Is(err, apperr.Forbidden) {
				t.Errorf("case worker pages sites: %v", err)
			}
		})
	}
}

// TestRemove takes subcontractors and sites off a contract: refused while
// something hangs on them (changing nothing), allowed bottom-up, audited.
func TestRemove(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			env := apptest.Start(t, engine)
			f := newFixture(t, env)
			ctx := context.Background()
			cleaner := supplier(t, f, "Brightline Cleaning GmbH", "AT", "yes")
			agency := supplier(t, f, "FlexStaff Agency SRL", "RO", "no")
			payroll := supplier(t, f, "Payroll Partners Ltd", "BG", "no")
			c, err := f.svc.CreateContract(ctx, f.officer.Actor, cleaningInput(cleaner.ID))
			if err != nil {
				t.Fatal(err)
			}
			tier2, err := f.svc.AddSubcontract(ctx, f.officer.Actor, c.ID, cleaner.ID, agency.ID)
			if err != nil {
				t.Fatal(err)
			}
			tier3, err := f.svc.AddSubcontract(ctx, f.officer.Actor, c.ID, agency.ID, payroll.ID)
			if err != nil {
				t.Fatal(err)
			}
			site, err := f.svc.CreateSite(ctx, f.officer.Actor, c.ID, procurement.SiteInput{SupplierID: payroll.ID, Name: "Town hall",
				Address: "1 Main Square", Country: "AT", Type: "premises"})
			if err != nil {
				t.Fatal(err)
			}
			checked, err := f.svc.CreateSite(ctx, f.officer.Actor, c.ID, procurement.SiteInput{SupplierID: cleaner.ID, Name: "Library",
				Address: "2 Main Square", Country: "AT", Type: "premises"})
			if err != nil {
				t.Fatal(err)
			}
			// A check recorded at the library (package sitechecks writes
			// these rows; the database ties them to the site).
			if err := env.App.DB.Write(ctx, func(tx *storage.Tx) error {
				_, err := tx.ExecContext(ctx, `INSERT INTO site_checks (id, contract_id, site_id, checked_on, inspectors, organisation, form_id, form_version, answers, created_by, created_at)
					VALUES ('check-1', $1, $2, '2026-12-01', 'labour inspector', 'City', 'site_check', '1', '{}', $3, $4)`, c.ID, checked.ID, f.officer.ID, storage.Now())
				return err
			}); err != nil {
				t.Fatal(err)
			}
			before := snapshot(t, env)
			for _, tc := range []struct {
				what string
				err  error
				key  string
			}{
				{"a subcontractor others work for", f.svc.RemoveSubcontract(ctx, f.officer.Actor, c.ID, tier2.ID), "procurement.error.subcontract_has_tiers"},
				{"a subcontractor running a site", f.svc.RemoveSubcontract(ctx, f.officer.Actor, c.ID, tier3.ID), "procurement.error.subcontract_has_sites"},
				{"a site with a check", func() error { _, err := f.svc.RemoveSite(ctx, f.officer.Actor, checked.ID); return err }(), "procurement.error.site_in_use"},
			} {
				wantErr(t, tc.what, tc.err, apperr.Conflict, tc.key)
			}
			wantErr(t, "another contract's subcontract", f.svc.RemoveSubcontract(ctx, f.officer.Actor, "no-such-contract", tier3.ID), apperr.NotFound, "")
			wantErr(t, "the coordinator removes", f.svc.RemoveSubcontract(ctx, f.coordinator.Actor, c.ID, tier3.ID), apperr.Forbidden, "")
			if after := snapshot(t, env); after != before {
				t.Fatalf("refused removals changed the records:\n%s\n---\n%s", before, after)
			}
			// Bottom-up: the site, then tier 3, then tier 2.
			if got, err := f.svc.RemoveSite(ctx, f.officer.Actor, site.ID); err != nil || got != c.ID {
				t.Fatalf("remove site: %q, %v", got, err)
			}
			for _, k := range []procurement.Subcontract{tier3, tier2} {
				if err := f.svc.RemoveSubcontract(ctx, f.officer.Actor, c.ID, k.ID); err != nil {
					t.Fatalf("remove %s: %v", k.SupplierName, err)
				}
			}
			view, err := f.svc.ContractPage(ctx, f.officer.Actor, c.ID, 0)
			if err != nil || len(view.Chain) != 0 || view.SiteCount != 1 || view.Sites[0].ID != checked.ID {
				t.Fatalf("after removal: chain %+v, sites %+v, %v", view.Chain, view.Sites, err)
			}
			if _, err := f.svc.Supplier(ctx, f.officer.Actor, payroll.ID); err != nil {
				t.Errorf("the supplier record went with its subcontract: %v", err)
			}
			var removals int
			if err := env.App.DB.Read(ctx, func(tx *storage.Tx) error {
				return tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE actor_user_id = $1 AND outcome = 'allowed'
					AND action IN ('procurement.site.remove', 'procurement.subcontract.remove')`, f.officer.ID).Scan(&removals)
			}); err != nil || removals != 3 {
				t.Errorf("removals audited: %d, %v; want 3", removals, err)
			}
		})
	}
}
