package statistics_test

import (
	"context"
	"flag"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/printout/printouttest"
	"waymark.city/waymark/internal/statistics"
	"waymark.city/waymark/internal/storage/storagetest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name, or writes it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run with -update to write it): %v", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file:\n%s", name, got)
	}
}

// TestReleasePages walks a release through the pages: the analyst prepares
// the year's crim_thb tables, a second coordinator approves after the
// confirmation page, and each download is what the golden files hold; a
// release that would reveal a cell by difference is refused on the form.
func TestReleasePages(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			env := apptest.StartWith(t, smallWorld(t, engine))
			w := newReleaseWorld(t, env)
			do := func(u apptest.User, method, path, lang string, form url.Values) (*http.Response, string) {
				return env.Exchange(t, apptest.Request{Method: method, Path: path, Cookie: u.Cookie, Form: form,
					Header: map[string]string{"Accept-Language": lang}})
			}
			form := func(from, to, recipient string) url.Values {
				return url.Values{"preset": {"crim_thb"}, "from": {from}, "to": {to}, "recipient": {recipient},
					"organisation": {"Federal Office"}, "threshold": {"3"}, "rounding": {"0"}}
			}

			res, body := do(w.analyst, http.MethodGet, "/statistics/releases/new", "de", nil)
			if res.StatusCode != http.StatusOK || !strings.Contains(body, "Freigabe vorbereiten") || !strings.Contains(body, `name="sensitive"`) {
				t.Fatalf("form in German: %d %s", res.StatusCode, body)
			}
			if _, body := do(w.analyst, http.MethodGet, "/statistics/releases/new?preset=crim_thb&period=2025-Q3", "en", nil); !strings.Contains(body, `value="2025-07-01"`) ||
				!strings.Contains(body, `value="2025-09-30"`) {
				t.Error("the form does not take the period a preset's page links with")
			}
			res, body = do(w.analyst, http.MethodPost, "/statistics/releases/new", "en", form("2025-01-01", "2025-12-31", ""))
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Name who receives the release.") {
				t.Fatalf("no recipient: %d", res.StatusCode)
			}
			low := form("2025-01-01", "2025-12-31", "National rapporteur")
			low.Set("threshold", "1")
			res, body = do(w.analyst, http.MethodPost, "/statistics/releases/new", "de", low)
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "kann erhöht, aber nicht gesenkt werden") {
				t.Fatalf("threshold below the installation's: %d", res.StatusCode)
			}
			res, _ = do(w.analyst, http.MethodPost, "/statistics/releases/new", "en", form("2025-01-01", "2025-12-31", "National rapporteur"))
			if res.StatusCode != http.StatusSeeOther {
				t.Fatalf("prepare: %d", res.StatusCode)
			}
			show := res.Header.Get("Location")
			if res, _ := do(w.analyst, http.MethodGet, show+"/sdmx", "en", nil); res.StatusCode != http.StatusConflict {
				t.Errorf("download before approval: %d", res.StatusCode)
			}
			if res, _ := do(w.analyst, http.MethodGet, show+"/approve", "en", nil); res.StatusCode != http.StatusForbidden {
				t.Errorf("analyst's approval page: %d", res.StatusCode)
			}
			res, body = do(w.coord, http.MethodGet, show, "en", nil)
			if res.StatusCode != http.StatusOK || !strings.Contains(body, `id="release-approve"`) || !strings.Contains(body, "<svg") ||
				!strings.Contains(body, "Waiting for approval") || !strings.Contains(body, "Persons by Sex, all other categories together: Female: ") {
				t.Fatalf("release page: %d %s", res.StatusCode, body)
			}
			res, body = do(w.coord, http.MethodGet, show+"/approve", "en", nil)
			if res.StatusCode != http.StatusOK || !strings.Contains(body, "Approve this release?") {
				t.Fatalf("confirmation: %d", res.StatusCode)
			}
			if res, _ := do(w.coord, http.MethodPost, show+"/approve", "en", url.Values{}); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("approve: %d", res.StatusCode)
			}
			res, body = do(w.analyst, http.MethodGet, show, "de", nil)
			if !strings.Contains(body, "Genehmigt von") || !strings.Contains(body, `id="download-sdmx"`) {
				t.Errorf("approved release page: %d", res.StatusCode)
			}

			res, body = do(w.analyst, http.MethodGet, show+"/sdmx", "en", nil)
			if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/vnd.sdmx.data+csv") {
				t.Fatalf("SDMX-CSV: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
			}
			golden(t, "release_crim_thb_2025.sdmx.csv", body)
			res, body = do(w.analyst, http.MethodGet, show+"/csv", "en", nil)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("CSV: %d", res.StatusCode)
			}
			golden(t, "release_crim_thb_2025.csv", body)
			if res, body := do(w.analyst, http.MethodGet, show+"/xlsx", "en", nil); res.StatusCode != http.StatusOK || !strings.HasPrefix(body, "PK") {
				t.Errorf("XLSX: %d", res.StatusCode)
			} else {
				numbersAreNumbers(t, body)
			}
			res, body = do(w.analyst, http.MethodGet, show+"/pdf", "en", nil)
			if res.StatusCode != http.StatusOK || !strings.HasPrefix(body, "%PDF") {
				t.Fatalf("PDF: %d", res.StatusCode)
			}
			if text := printouttest.Text(t, []byte(body)); !strings.Contains(text, "Registered victims by sex and age") ||
				!strings.Contains(text, "suppressed") || !strings.Contains(text, "National rapporteur, Federal Office") {
				t.Errorf("PDF text:\n%s", text)
			}
			res, body = do(w.analyst, http.MethodGet, show+"/report", "de", nil)
			report, _, _ := strings.Cut(body[strings.Index(body, `<article class="report"`)+1:], "</article>")
			if res.StatusCode != http.StatusOK || !strings.Contains(report, "<svg") || !strings.Contains(report, "<table") ||
				strings.Contains(report, "<form") || strings.Contains(report, "<input") || !strings.Contains(report, "unterdrückt") {
				t.Errorf("printable report: %d %s", res.StatusCode, report)
			}

			res, body = do(w.analyst, http.MethodPost, "/statistics/releases/new", "en", form("2025-01-01", "2025-09-30", "National rapporteur"))
			if res.StatusCode != http.StatusConflict || !strings.Contains(body, "the suppressed cell Female × Child of the table Registered victims by sex and age for 2025") {
				t.Errorf("differencing release: %d %s", res.StatusCode, body)
			}
			res, body = do(w.coord, http.MethodGet, "/statistics/releases", "en", nil)
			if res.StatusCode != http.StatusOK || strings.Count(body, `<tr id="release-`) != 1 {
				t.Errorf("list after the refusal: %d, %d rows", res.StatusCode, strings.Count(body, `<tr id="release-`))
			}
		})
	}
}

// TestReleaseEveryPreset: each preset's tables can be prepared as a
// release, approved, shown and downloaded as SDMX-CSV.
func TestReleaseEveryPreset(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			env := apptest.StartWith(t, smallWorld(t, engine))
			w := newReleaseWorld(t, env)
			for _, preset := range statistics.Presets() {
				id, err := env.App.Statistics.Prepare(context.Background(), w.analyst.Actor, statistics.ReleaseInput{Preset: preset,
					Period: statistics.Year(2025), Recipient: "Observatory " + preset})
				if err != nil {
					t.Errorf("prepare %s: %v %v", preset, err, apperr.As(err).Args)
					continue
				}
				if err := env.App.Statistics.Approve(context.Background(), w.coord.Actor, id); err != nil {
					t.Errorf("approve %s: %v", preset, err)
					continue
				}
				for _, path := range []string{"", "/sdmx", "/csv", "/report"} {
					res, body := env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: "/statistics/releases/" + id + path, Cookie: w.coord.Cookie})
					if res.StatusCode != http.StatusOK || strings.Contains(body, "⟦") {
						t.Errorf("%s%s: %d %s", preset, path, res.StatusCode, body)
					}
				}
			}
		})
	}
}

// numbersAreNumbers checks that every figure of a release workbook is a
// number cell, so that a spreadsheet adds them up (they were text).
func numbersAreNumbers(t *testing.T, workbook string) {
	t.Helper()
	wb, err := excelize.OpenReader(strings.NewReader(workbook))
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	sheet := wb.GetSheetName(0)
	rows, err := wb.GetRows(sheet)
	if err != nil || len(rows) < 2 {
		t.Fatalf("workbook rows: %d %v", len(rows), err)
	}
	col, figures := len(rows[0])-3, 0
	for r := 1; r < len(rows); r++ {
		if col >= len(rows[r]) || rows[r][col] == "" {
			continue
		}
		cell, _ := excelize.CoordinatesToCellName(col+1, r+1)
		if typ, err := wb.GetCellType(sheet, cell); err != nil || (typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber) {
			t.Fatalf("figure %s %q is of type %v (%v)", cell, rows[r][col], typ, err)
		}
		figures++
	}
	if figures == 0 {
		t.Error("the workbook has no figures")
	}
}
