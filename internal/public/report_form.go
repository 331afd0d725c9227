package public

import (
	"net/http"
	"regexp"
	"strings"
	"time"

	"waymark.city/waymark/internal/i18n"
	"waymark.city/waymark/internal/intake"
	"waymark.city/waymark/internal/screening"
)

// reportPage is what report.html receives.
type reportPage struct {
	// Values are the submitted answers, to fill the form again after an error.
	Values map[string]string
	Signs  map[string]bool
	Places []option
	// SignGroups are the field guide's signs by indicator group.
	SignGroups []signGroup
	// EnglishSigns is true when the catalogue has no texts in the page's
	// language, so places and signs are shown in English.
	EnglishSigns bool
	Urgencies    []string
	Times        []string
	People       []string
	Ages         []string
	Genders      []string
	Challenge    string
	Difficulty   int
	MaxFiles     int
	MaxFileMiB   int64
	Today        string
}

type signGroup struct {
	Title option
	Signs []option
}

// reportForm shows the empty report form; a campaign's QR code or link
// fills in its attribution code (?c=). Only something shaped like a code
// is copied into the form, so a link cannot put other text there.
func (h *Handler) reportForm(w http.ResponseWriter, r *http.Request) {
	v := h.newView(r, "public.report.title")
	var values map[string]string
	if c := strings.ToUpper(r.URL.Query().Get("c")); attributionCode.MatchString(c) {
		values = map[string]string{"campaign_code": c}
	}
	h.renderReport(w, r, http.StatusOK, v, values, nil)
}

// attributionCode is the shape of a campaign code in a link; which codes
// exist is checked when the report is stored (intake).
var attributionCode = regexp.MustCompile(`^[0-9A-Z]{4,12}$`)

// renderReport shows the form with values (nil for an empty form) and a
// fresh proof-of-work challenge.
func (h *Handler) renderReport(w http.ResponseWriter, r *http.Request, status int, v *view, values map[string]string, signs []string) {
	lang := v.P.Lang()
	page := &reportPage{Values: values, Signs: map[string]bool{}, Urgencies: intake.Urgencies,
		Times: intake.TimesOfDay, People: intake.PeopleCounts, Ages: intake.AgeGroups, Genders: intake.Genders,
		Today: time.Now().In(h.zone).Format(time.DateOnly)}
	if page.Values == nil {
		page.Values = map[string]string{}
	}
	for _, s := range signs {
		page.Signs[s] = true
	}
	cfg := h.intake.Config()
	page.MaxFiles, page.MaxFileMiB = cfg.MaxAttachments, cfg.MaxAttachmentSize>>20
	page.Challenge, page.Difficulty = h.intake.Challenge()

	byID := map[string]screening.Location{}
	for _, l := range h.catalogue.FieldGuide {
		byID[l.ID] = l
	}
	for _, id := range h.intake.PublicPlaceTypes() {
		if l, ok := byID[id]; ok {
			page.Places = append(page.Places, localized(id, l.Name, lang))
			continue
		}
		page.Places = append(page.Places, option{Value: id, Label: v.P.T("public.place." + id)})
	}
	offered := h.intake.Signs()
	for _, g := range h.catalogue.Groups {
		grp := signGroup{Title: localized(g.ID, g.Title, lang)}
		for _, id := range offered {
			ind, ok := h.catalogue.Indicator(id)
			if ok && ind.Group == g.ID {
				grp.Signs = append(grp.Signs, localized(id, ind.Label, lang))
			}
		}
		if len(grp.Signs) > 0 {
			page.SignGroups = append(page.SignGroups, grp)
		}
	}
	page.EnglishSigns = len(h.catalogue.FieldGuide) > 0 && h.catalogue.FieldGuide[0].Name[lang] == ""
	v.Data = page
	v.Script = true
	h.render(w, r, status, "report", v)
}

// localized picks text's entry for lang, else the English one marked as
// English.
func localized(value string, text screening.Localized, lang string) option {
	if s, ok := text[lang]; ok && s != "" {
		return option{Value: value, Label: s}
	}
	return option{Value: value, Label: text[i18n.Reference], Lang: i18n.Reference}
}
