package legalstatus_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// importers are the only packages that may read legal-status records: the
// pages and API that show them, the assembly, and the person's data export.
// Assistance, risk, the crisis unit and the rest must not, so that no help
// can be made to depend on the person's cooperation with the authorities.
var importers = []string{"internal/ui", "internal/api", "internal/app", "internal/dataprotection", "internal/legalstatus"}

// testImporters may import it in their tests only: statistics counts
// residence permits granted (Eurostat's indicator 1.11) from the day a
// permit was granted, and its tests record a permit to count.
var testImporters = []string{"internal/statistics"}

func TestOnlyAllowedPackagesImportLegalStatus(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	const self = "waymark.city/waymark/internal/legalstatus"
	fset := token.NewFileSet()
	seen := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "vendor" || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			// A file mid-edit by someone else is not this test's business.
			t.Logf("skip %s: %v", path, err)
			return nil
		}
		seen++
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		rel = filepath.ToSlash(rel)
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			inTest := strings.HasSuffix(path, "_test.go") && slices.Contains(testImporters, rel)
			if p == self && !slices.Contains(importers, rel) && !inTest {
				t.Errorf("%s imports legalstatus; only %v may (legal status is kept apart from assistance)", filepath.ToSlash(path[len(root)+1:]), importers)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if seen < 50 {
		t.Fatalf("parsed only %d Go files under %s; the walk is broken", seen, root)
	}
}
