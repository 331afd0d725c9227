package forms

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
)

// benchForm is a 60-question form in the shape of a mapping round: ten
// blocks of a yes/no question, a count shown only after a yes, a decimal
// with a constraint, a select_multiple, a text shown for one of its
// choices, a date, and a calculation over the block, plus a total across
// blocks shown in a note.
func benchForm(tb testing.TB) (*Form, url.Values) {
	var b strings.Builder
	b.WriteString("| survey |\n| | type | name | label | relevant | constraint | calculation | required |\n")
	values := url.Values{}
	var totals []string
	for i := range 10 {
		fmt.Fprintf(&b, "| | begin group | g%d | Block %d | | | | |\n", i, i)
		fmt.Fprintf(&b, "| | select_one yn | seen%d | Seen %d? | | | | yes |\n", i, i)
		fmt.Fprintf(&b, "| | integer | count%d | How many at %d? | ${seen%d} = 'yes' | . >= 0 and . < 1000 | | yes |\n", i, i, i)
		fmt.Fprintf(&b, "| | decimal | share%d | Share %d | ${count%d} > 0 | . <= 100 | | |\n", i, i, i)
		fmt.Fprintf(&b, "| | select_multiple sign | signs%d | Signs %d | | | | |\n", i, i)
		fmt.Fprintf(&b, "| | text | other%d | Other sign %d | selected(${signs%d}, 'other') | string-length(.) < 200 | | |\n", i, i, i)
		fmt.Fprintf(&b, "| | date | when%d | When %d? | ${seen%d} = 'yes' | . <= today() | | |\n", i, i, i)
		fmt.Fprintf(&b, "| | calculate | score%d | | | | if(${seen%d} = 'yes', ${count%d} * count-selected(${signs%d}), 0) | |\n", i, i, i, i)
		b.WriteString("| | end group | | | | | | |\n")
		totals = append(totals, fmt.Sprintf("${score%d}", i))
		values.Set(fmt.Sprintf("seen%d", i), "yes")
		values.Set(fmt.Sprintf("count%d", i), fmt.Sprint(i*3))
		values.Set(fmt.Sprintf("share%d", i), "12.5")
		values["signs"+fmt.Sprint(i)] = []string{"debt", "other"}
		values.Set(fmt.Sprintf("other%d", i), "seen at night")
		values.Set(fmt.Sprintf("when%d", i), fmt.Sprintf("2026-01-%02d", i+1))
	}
	fmt.Fprintf(&b, "| | calculate | total | | | | %s | |\n", strings.Join(totals, " + "))
	b.WriteString("| | note | summary | Total ${total} | | | | |\n")
	b.WriteString("| choices |\n| | list_name | name | label |\n| | yn | yes | Yes |\n| | yn | no | No |\n")
	b.WriteString("| | sign | debt | Debt |\n| | sign | locked | Locked |\n| | sign | other | Other |\n")
	f, err := ParseText("bench.md", []byte(b.String()))
	if err != nil {
		tb.Fatal(dumpError(err))
	}
	return f, values
}

func TestBenchForm(t *testing.T) {
	f, values := benchForm(t)
	questions := 0
	for _, fi := range f.Fields() {
		if fi.Type != TypeCalculate {
			questions++
		}
	}
	if questions != 60 {
		t.Fatalf("the benchmark form has %d questions, want 60", questions)
	}
	ans, err := f.Decode(values, "en")
	if err != nil {
		t.Fatal(dumpError(err))
	}
	st := f.Evaluate(ans, "en")
	if got := st.Items[len(st.Items)-1].Label; got != "Total 270" {
		t.Fatalf("summary %q", got)
	}
}

func BenchmarkEvaluate(b *testing.B) {
	f, values := benchForm(b)
	ans, err := f.Decode(values, "en")
	if err != nil {
		b.Fatal(dumpError(err))
	}
	b.ReportAllocs()
	for b.Loop() {
		f.Evaluate(ans, "en")
	}
}

func BenchmarkDecode(b *testing.B) {
	f, values := benchForm(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.Decode(values, "en"); err != nil {
			b.Fatal(err)
		}
	}
}

// TestConcurrentUse: one parsed form serves many requests at once.
func TestConcurrentUse(t *testing.T) {
	f, values := benchForm(t)
	want, err := f.Decode(values, "en")
	if err != nil {
		t.Fatal(dumpError(err))
	}
	label := f.Evaluate(want, "en").Items[10].Label
	done := make(chan string)
	for range 8 {
		go func() {
			ans, _ := f.Decode(values, "en")
			done <- f.Evaluate(ans, "en").Items[10].Label
		}()
	}
	for range 8 {
		if got := <-done; got != label {
			t.Errorf("got %q, want %q", got, label)
		}
	}
}
