package mapping

import (
	"strings"
	"testing"

	"waymark.city/waymark/internal/forms"
)

// Every shipped questionnaire parses, cites its page of the annex, has its
// key actors, and asks which part of the city from the "area" list, which
// a round fills with its areas.
func TestShippedQuestionnaires(t *testing.T) {
	if len(shipped) != 6 {
		t.Fatalf("%d shipped questionnaires, want 6", len(shipped))
	}
	areas := []Area{{Code: "north", Name: "North | old town"}, {Code: "harbour", Name: "Harbour"}}
	for _, sh := range shipped {
		src, err := ShippedSource(sh.Slug)
		if err != nil {
			t.Fatal(err)
		}
		form, err := forms.ParseText(sh.Slug, withAreas(src, areas))
		if err != nil {
			t.Fatalf("%s: %v", sh.Slug, err)
		}
		if form.ID != "mapping_"+sh.Slug || form.Title == "" || len(sh.Actors) == 0 {
			t.Errorf("%s: form id %q, title %q, %d actors", sh.Slug, form.ID, form.Title, len(sh.Actors))
		}
		var area *forms.FieldInfo
		types := map[string]int{}
		for _, f := range form.Fields() {
			types[f.Type]++
			if f.Name == fieldArea {
				area = &f
			}
			if f.Label["en"] == "" || f.Label["de"] == "" {
				t.Errorf("%s: question %s lacks an English or German label", sh.Slug, f.Name)
			}
		}
		if area == nil || len(area.Choices) != 3 || area.Choices[1].Name != "north" || area.Choices[1].Label["de"] != "North | old town" {
			t.Errorf("%s: area question %+v", sh.Slug, area)
		}
		if types[forms.TypeSelectOne] == 0 || types[forms.TypeSelectMultiple] == 0 {
			t.Errorf("%s: question types %v", sh.Slug, types)
		}
		plain, err := forms.ParseText(sh.Slug, src)
		if err != nil {
			t.Fatal(err)
		}
		st := plain.Evaluate(forms.Answers{}, "de")
		if len(st.Items) == 0 || st.Items[0].Type != forms.TypeNote || !strings.Contains(st.Items[0].Label, "S. "+sh.Page) {
			t.Errorf("%s: the first note does not cite page %s: %+v", sh.Slug, sh.Page, st.Items[0])
		}
	}
	src, _ := ShippedSource("locations")
	form, err := forms.ParseText("locations", src)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range form.Fields() {
		if f.Name == fieldLocationType {
			if f.Repeat != "places" || len(f.Choices) != 15 {
				t.Errorf("location types: repeat %q, %d choices, want places and the 15 of p. xi", f.Repeat, len(f.Choices))
			}
		}
	}
}

// An area known by a name with spaces, or by a long code, still becomes a
// choice, under a name that is the same in every round.
func TestAreaChoices(t *testing.T) {
	areas := []Area{{Code: "3", Name: "Riverside"}, {Code: "Old Town", Name: "Old Town"}, {Code: strings.Repeat("x", 70), Name: "Long"}}
	src, _ := ShippedSource("locations")
	form, err := forms.ParseText("locations", withAreas(src, areas))
	if err != nil {
		t.Fatal(err)
	}
	codes := areaCodes(areas)
	for _, f := range form.Fields() {
		if f.Name != fieldArea {
			continue
		}
		var got []string
		for _, c := range f.Choices[1:] {
			got = append(got, codes[c.Name])
		}
		if strings.Join(got, ",") != "3,Old Town,"+strings.Repeat("x", 70) || f.Choices[2].Name != areaChoice("Old Town") || areaChoice("3") != "3" {
			t.Fatalf("area choices %+v map to %v", f.Choices, got)
		}
	}
}
