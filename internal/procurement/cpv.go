package procurement

import (
	_ "embed"
	"encoding/csv"
	"regexp"
	"strings"
	"sync"
)

// cpv2008 is the Common Procurement Vocabulary of Regulation (EC) No
// 213/2008: all 9,454 codes with their check digits and English labels.
// Data, not code: the codes and check digits are from the CPV table in
// github.com/regional-development/data (data/cpv.csv, which also carries
// four Ukrainian national additions, left out here: 60173000, 60184000,
// 77620000, 99999999), cross-checked code by code against
// github.com/OCA/product-attribute (product_code_cpv/data/
// product_template_cpv.xml, codes without check digits), whose English
// labels are used where the first had mis-encoded accents.
//
//go:embed cpv2008.csv
var cpv2008 string

var cpvFormat = regexp.MustCompile(`^[0-9]{8}-[0-9]$`)

var cpvOnce = sync.OnceValue(func() map[string]string {
	rows, err := csv.NewReader(strings.NewReader(cpv2008)).ReadAll()
	if err != nil {
		panic("procurement: embedded CPV list: " + err.Error())
	}
	out := make(map[string]string, len(rows))
	for _, r := range rows[1:] {
		out[r[0]] = r[1]
	}
	return out
})

// CPVLabel returns the English label of a CPV 2008 code (with its check
// digit, as "90910000-9") and whether the code exists.
func CPVLabel(code string) (string, bool) {
	if !cpvFormat.MatchString(code) {
		return "", false
	}
	l, ok := cpvOnce()[code]
	return l, ok
}
