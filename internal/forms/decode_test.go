package forms

import (
	"encoding/json"
	"net/url"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"waymark.city/waymark/internal/apperr"
)

func conformanceForm(t testing.TB, name string) *Form {
	t.Helper()
	src, err := os.ReadFile("testdata/conformance/" + name + ".md")
	if err != nil {
		t.Fatal(err)
	}
	f, err := ParseText(name, src)
	if err != nil {
		t.Fatal(dumpError(err))
	}
	return f
}

func fieldKeys(err error) map[string]string {
	out := map[string]string{}
	if err == nil {
		return out
	}
	for _, fe := range apperr.As(err).Fields {
		out[fe.Field] = fe.Key
	}
	return out
}

func TestReadAction(t *testing.T) {
	cases := []struct {
		value string
		want  Action
		ok    bool
	}{
		{"add:worker", Action{ActionAdd, "worker"}, true},
		{"remove:worker[2]", Action{ActionRemove, "worker[2]"}, true},
		{"refresh", Action{Kind: ActionRefresh}, true},
		{"", Action{}, false},
		{"add:", Action{}, false},
		{"delete:worker[1]", Action{}, false},
	}
	for _, c := range cases {
		got, ok := ReadAction(url.Values{ActionInput: {c.value}})
		if got != c.want || ok != c.ok {
			t.Errorf("%q: got %+v %v, want %+v %v", c.value, got, ok, c.want, c.ok)
		}
	}
}

func TestApply(t *testing.T) {
	f := conformanceForm(t, "12_nested_repeat")
	ans := Answers{Repeats: map[string][]Answers{"site": {
		{Values: map[string]string{"site_name": "A"}, Repeats: map[string][]Answers{"room": {{}, {}}}},
	}}}
	before, _ := json.Marshal(ans)

	added, err := f.Apply(ans, Action{ActionAdd, "site[1]/room"})
	if err != nil || len(added.Repeats["site"][0].Repeats["room"]) != 3 {
		t.Fatalf("add room: %v %+v", err, added)
	}
	removed, err := f.Apply(ans, Action{ActionRemove, "site[1]/room[1]"})
	if err != nil || len(removed.Repeats["site"][0].Repeats["room"]) != 1 {
		t.Fatalf("remove room: %v %+v", err, removed)
	}
	// A repeat not touched yet has one instance; adding makes two.
	fresh, err := f.Apply(Answers{}, Action{ActionAdd, "site"})
	if err != nil || len(fresh.Repeats["site"]) != 2 {
		t.Fatalf("add to a fresh repeat: %v %+v", err, fresh)
	}
	if after, _ := json.Marshal(ans); string(after) != string(before) {
		t.Fatalf("Apply changed its argument: %s", after)
	}
	for _, bad := range []Action{
		{ActionAdd, "room"}, {ActionAdd, "site[2]/room"}, {ActionRemove, "site[1]/room[3]"}, {ActionRemove, "site"},
		{ActionAdd, "site_name"}, {ActionAdd, "site[0]/room"}, {ActionAdd, "site[x]/room"}, {ActionAdd, "site[1]/room[1]/x"},
		{ActionRemove, "site[1]/room[99999999999999999999]"},
	} {
		if _, err := f.Apply(ans, bad); fieldKeys(err)[ActionInput] != "forms.answer.bad_action" {
			t.Errorf("%+v: got %v, want bad_action", bad, err)
		}
	}
	full := Answers{Repeats: map[string][]Answers{"site": make([]Answers, MaxInstances)}}
	if _, err := f.Apply(full, Action{ActionAdd, "site"}); fieldKeys(err)["site"] != "forms.answer.repeat_max" {
		t.Errorf("add beyond the maximum: %v", err)
	}
	if st := f.Evaluate(full, "en"); st.Items[0].CanAdd {
		t.Error("a full repeat still offers to add")
	}
}

// TestDecodeCapsInstances: a posted count is capped per repeat and across
// nested repeats, however large the numbers a client sends.
func TestDecodeCapsInstances(t *testing.T) {
	f := conformanceForm(t, "12_nested_repeat")
	v := url.Values{"site:count": {"1000000"}}
	for i := 1; i <= MaxInstances; i++ {
		v.Set("site["+strconv.Itoa(i)+"]/room:count", "1000000")
	}
	ans, _ := f.Decode(v, "en")
	total := 0
	for _, s := range ans.Repeats["site"] {
		total += 1 + len(s.Repeats["room"])
	}
	if len(ans.Repeats["site"]) != MaxInstances || total > maxTotalInstances {
		t.Fatalf("%d sites, %d instances in all", len(ans.Repeats["site"]), total)
	}
	for _, c := range []string{"-1", "x", ""} {
		ans, _ := f.Decode(url.Values{"site:count": {c}}, "en")
		if _, ok := ans.Repeats["site"]; ok {
			t.Errorf("count %q made instances", c)
		}
	}
}

// TestDecodeIgnoresHiddenAnswers: answers to questions that are not
// relevant are cleared and never refused, whatever was posted for them.
func TestDecodeIgnoresHiddenAnswers(t *testing.T) {
	f := conformanceForm(t, "04_relevant")
	ans, err := f.Decode(url.Values{"known": {"no"}, "visits": {"not a number"}, "more": {"x"}}, "en")
	if err != nil {
		t.Fatalf("a hidden question's answer was refused: %v", dumpError(err))
	}
	if ans.Values["visits"] != "" || ans.Values["more"] != "" {
		t.Fatalf("hidden answers kept: %+v", ans.Values)
	}
}

func TestDecodeNormalises(t *testing.T) {
	f := conformanceForm(t, "01_types_basic")
	ans, err := f.Decode(url.Values{"name": {"  Mill  "}, "workers": {" 007 "}, "wage": {"12,50"}, "visited": {"2026-03-01"}}, "en")
	if err != nil {
		t.Fatal(dumpError(err))
	}
	want := map[string]string{"name": "Mill", "workers": "7", "wage": "12.5", "visited": "2026-03-01"}
	if !reflect.DeepEqual(ans.Values, want) {
		t.Fatalf("got %v, want %v", ans.Values, want)
	}
	long := strings.Repeat("ä", MaxTextLen+1)
	_, err = f.Decode(url.Values{"name": {long}, "visited": {"2026-03-01"}, "workers": {"99999999999999999999"}}, "en")
	keys := fieldKeys(err)
	if keys["name"] != "forms.answer.too_long" || keys["workers"] != "forms.answer.integer" {
		t.Fatalf("got %v", keys)
	}
}

// TestAnswersJSON: answers survive a round trip through JSON, as they are
// stored.
func TestAnswersJSON(t *testing.T) {
	f := conformanceForm(t, "12_nested_repeat")
	v, _ := url.ParseQuery("site:count=1&site[1]/site_name=A&site[1]/room:count=2&site[1]/room[1]/beds=3&site[1]/room[2]/beds=4")
	ans, err := f.Decode(v, "en")
	if err != nil {
		t.Fatal(dumpError(err))
	}
	b, err := json.Marshal(ans)
	if err != nil {
		t.Fatal(err)
	}
	var back Answers
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(normal(ans), normal(back)) {
		t.Fatalf("round trip changed the answers:\n%+v\n%+v", ans, back)
	}
}

func TestFields(t *testing.T) {
	f := conformanceForm(t, "12_nested_repeat")
	var got []string
	for _, fi := range f.Fields() {
		got = append(got, fi.Name+":"+fi.Type+":"+fi.Repeat)
	}
	want := []string{"site_name:text:site", "beds:integer:room", "site_beds:calculate:site", "all_beds:calculate:"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	sel := conformanceForm(t, "03_languages").Fields()[0]
	if sel.Label["en"] != "Street" || sel.Label["de"] != "Straße" || sel.Label[""] != "Rue" {
		t.Fatalf("labels %v", sel.Label)
	}
	sel.Label["en"] = "changed"
	if conformanceForm(t, "03_languages").Fields()[0].Label["en"] != "Street" {
		t.Fatal("Fields shares its maps with the form")
	}
}

// FuzzDecode: no posted form makes Decode, Apply, Evaluate panic, and the
// answers Decode accepts decode again to the same answers.
func FuzzDecode(f *testing.F) {
	f.Add("site:count=2&site[1]/site_name=A&site[1]/room:count=1&site[1]/room[1]/beds=3")
	f.Add("site:count=1&forms:action=add:site[1]/room")
	f.Add("site:count=99&forms:action=remove:site[1]")
	f.Add("site[1]/room[1]/beds=x&site:count=1&site[1]/room:count=1")
	form := conformanceForm(f, "12_nested_repeat")
	f.Fuzz(func(t *testing.T, query string) {
		values, err := url.ParseQuery(query)
		if err != nil {
			return
		}
		ans, err := form.Decode(values, "en")
		if act, ok := ReadAction(values); ok {
			ans, _ = form.Apply(ans, act)
			form.Evaluate(ans, "de")
			return
		}
		form.Evaluate(ans, "de")
		if err != nil {
			if apperr.CodeOf(err) != apperr.Invalid {
				t.Fatalf("not a validation error: %v", err)
			}
			return
		}
		again, err := form.Decode(post(ans, ""), "en")
		if err != nil || !reflect.DeepEqual(normal(again), normal(ans)) {
			t.Fatalf("accepted answers do not decode again: %v\n%+v\n%+v", err, ans, again)
		}
	})
}

// post writes answers back as the page would post them.
func post(a Answers, prefix string) url.Values {
	v := url.Values{}
	for k, s := range a.Values {
		v.Set(prefix+k, s)
	}
	for name, list := range a.Repeats {
		v.Set(prefix+name+":count", strconv.Itoa(len(list)))
		for i, in := range list {
			for k, s := range post(in, prefix+name+"["+strconv.Itoa(i+1)+"]/") {
				v[k] = s
			}
		}
	}
	return v
}

// normal drops empty maps so answers compare by content.
func normal(a Answers) Answers {
	out := Answers{}
	for k, v := range a.Values {
		if out.Values == nil {
			out.Values = map[string]string{}
		}
		out.Values[k] = v
	}
	for k, list := range a.Repeats {
		if out.Repeats == nil {
			out.Repeats = map[string][]Answers{}
		}
		for _, in := range list {
			out.Repeats[k] = append(out.Repeats[k], normal(in))
		}
		if out.Repeats[k] == nil {
			out.Repeats[k] = []Answers{}
		}
	}
	return out
}

// TestDecodeLargePost: a select_multiple posted with a great many values
// is decided in one pass.
func TestDecodeLargePost(t *testing.T) {
	f := conformanceForm(t, "02_selects")
	many := make([]string, 200000)
	for i := range many {
		many[i] = "debt"
	}
	start := time.Now()
	ans, err := f.Decode(url.Values{"sector": {"farm"}, "signs": many}, "en")
	if err != nil || ans.Values["signs"] != "debt" {
		t.Fatalf("%v %q", err, ans.Values["signs"])
	}
	many[len(many)-1] = "unknown"
	if _, err := f.Decode(url.Values{"sector": {"farm"}, "signs": many}, "en"); fieldKeys(err)["signs"] != "forms.answer.choice" {
		t.Fatalf("an unknown choice among many: %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("decoding took %v", d)
	}
}
