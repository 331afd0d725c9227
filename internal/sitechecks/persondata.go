package sitechecks

import (
	"context"
	"net/url"
	"strings"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/forms"
	"waymark.city/waymark/internal/persondata"
	"waymark.city/waymark/internal/storage"
)

// A check holds no personal data about workers, and its texts are shown to
// procurement staff. Every free text of a check — the questionnaire's text
// answers, a finding's description, a corrective action and its
// verification — is looked at by persondata.CheckWorkers before it is
// stored. What it finds comes back to the officer on the field, quoted,
// with the box NotAboutPerson ("none of this is about a person") to tick;
// nothing is stored until the officer removes it or ticks the box. The
// confirmation is audited as the kinds found (site_check.confirm_not_person).

// NotAboutPerson is the posted field of that box, on every form with a
// free text.
const NotAboutPerson = "not_about_person"

// field is one free text of a form and the field it was posted in.
type field struct{ name, text string }

// aboutPerson refuses each text that may be about a person, quoting what
// was found, unless confirmed; confirmed, it returns the kinds found for
// the audit.
func (f *fields) aboutPerson(texts []field, confirmed bool) []string {
	var all []persondata.Flag
	for _, t := range texts {
		flags := persondata.CheckWorkers(t.text)
		all = append(all, flags...)
		if len(flags) == 0 || confirmed {
			continue
		}
		quoted := make([]string, len(flags))
		for i, fl := range flags {
			quoted[i] = "“" + fl.Excerpt + "”"
		}
		f.Fields = append(f.Fields, apperr.FieldError{Field: t.name, Key: "sitechecks.error.about_person",
			Args: map[string]any{"found": strings.Join(quoted, ", ")}})
	}
	if len(all) > 0 && !confirmed {
		f.Add(NotAboutPerson, "sitechecks.error.not_about_person")
	}
	if !confirmed {
		return nil
	}
	return persondata.Kinds(all)
}

// answerTexts are the text answers of the questionnaire's top level (the
// shipped form's site notes; an imported form's texts).
func (c CheckForm) answerTexts(ans forms.Answers) []field {
	var out []field
	for _, fi := range c.Form.Fields() {
		if fi.Type == forms.TypeText && fi.Repeat == "" && ans.Values[fi.Name] != "" {
			out = append(out, field{fi.Name, ans.Values[fi.Name]})
		}
	}
	return out
}

// confirmedNotPerson reads the box from a posted questionnaire.
func confirmedNotPerson(values url.Values) bool { return values.Get(NotAboutPerson) == "yes" }

// recordConfirmed audits the officer's confirmation that flagged texts are
// not about a person, as the kinds of flag.
func (s *Service) recordConfirmed(ctx context.Context, tx *storage.Tx, actor access.Actor, checkID string, kinds []string) error {
	if len(kinds) == 0 {
		return nil
	}
	return s.record(ctx, tx, actor, "site_check.confirm_not_person", "site_check", checkID, strings.Join(kinds, ","))
}
