package mapping

import (
	"fmt"
	"reflect"
	"testing"

	"waymark.city/waymark/internal/forms"
)

// Responses added up by several workers and merged give the same sums,
// medians and respondent types as one accumulator adding them all.
func TestMergedAccumulatorsAddUpAlike(t *testing.T) {
	form, err := forms.ParseText("merge", []byte(`| survey |
| | type | name | label |
| | select_one yn | seen | Seen? |
| | select_multiple signs | signs | Signs |
| | integer | count | How many? |
| | begin_repeat | places | Places |
| | decimal | hours | Hours |
| | end_repeat | | |
| choices |
| | list_name | name | label |
| | yn | yes | Yes |
| | yn | no | No |
| | signs | a | A |
| | signs | b | B |
| | signs | c | C |
| settings |
| | form_title | form_id | version |
| | Merge | merge | 1 |
`))
	if err != nil {
		t.Fatal(err)
	}
	type resp struct {
		who RespondentType
		raw []byte
	}
	var all []resp
	kinds := []RespondentType{{Kind: "ngo", Role: "case_worker"}, {Kind: "police", Role: "police_contact"}, {Kind: "citizen"}, {Kind: "ngo", Role: "case_worker", Anonymous: true}}
	for i := range 101 {
		raw := fmt.Sprintf(`{"values":{"seen":%q,"signs":%q,"count":"%d"},"repeats":{"places":[{"values":{"hours":"%d.5"}},{"values":{"hours":"%d"}}]}}`,
			[]string{"yes", "no"}[i%2], []string{"a", "a b", "b c", ""}[i%4], i*7%13, i%5, i%3)
		all = append(all, resp{kinds[i%len(kinds)], []byte(raw)})
	}
	one := newAccumulator(form.Fields())
	for _, r := range all {
		if err := one.add(r.who, r.raw); err != nil {
			t.Fatal(err)
		}
	}
	parts := []*accumulator{newAccumulator(form.Fields()), newAccumulator(form.Fields()), newAccumulator(form.Fields())}
	for i, r := range all {
		if err := parts[i%3].add(r.who, r.raw); err != nil {
			t.Fatal(err)
		}
	}
	parts[0].merge(parts[1])
	parts[0].merge(parts[2])
	want, got := one.result(), parts[0].result()
	if !reflect.DeepEqual(want, got) {
		t.Fatalf("merged sums differ:\n got %+v\nwant %+v", got, want)
	}
	count, _ := got.Result("count")
	if count.All.N != 101 || got.Responses != 101 || len(got.Types) != 4 {
		t.Fatalf("merged: %d responses, count %+v, types %+v", got.Responses, count.All, got.Types)
	}
}
