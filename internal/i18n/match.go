package i18n

import (
	"slices"
	"strings"

	"golang.org/x/text/language"
)

// Limits keep hostile input from costing more than a normal header.
const (
	maxTagLen          = 64   // longest preferred tag considered
	maxAcceptLen       = 4096 // longest Accept-Language header considered
	maxAcceptLanguages = 32   // most entries considered when salvaging a header
)

// Match chooses the language to serve. preferred (the user's saved choice
// or the language cookie) wins if it is shipped; otherwise the best match
// for the Accept-Language header; otherwise English. It never fails.
func (c *Catalog) Match(preferred, acceptLanguage string) string {
	return c.MatchFor("", preferred, acceptLanguage)
}

// MatchFor is Match among the languages of an area (see LanguagesFor).
func (c *Catalog) MatchFor(area, preferred, acceptLanguage string) string {
	m, ok := c.matchers[area]
	if !ok {
		m = c.matchers[""]
	}
	if p := strings.TrimSpace(preferred); p != "" && len(p) <= maxTagLen {
		if tag, err := language.Parse(p); err == nil {
			if slices.ContainsFunc(m.langs, func(l Language) bool { return l.Tag == tag.String() }) {
				return tag.String()
			}
		}
	}
	tags := parseAccept(acceptLanguage)
	if len(tags) == 0 {
		return Reference
	}
	_, index, conf := m.matcher.Match(tags...)
	if conf == language.No || index < 0 || index >= len(m.langs) {
		return Reference
	}
	// The index points into m.langs (the matcher's input); the returned tag
	// may carry extensions such as -u-rg-uszzzz that no file is named after.
	return m.langs[index].Tag
}

// parseAccept parses an Accept-Language header. A header with one bad
// entry is salvaged entry by entry instead of being ignored entirely,
// since browsers and proxies do send odd values.
func parseAccept(h string) []language.Tag {
	if len(h) > maxAcceptLen {
		h = h[:maxAcceptLen]
		if i := strings.LastIndexByte(h, ','); i >= 0 {
			h = h[:i]
		}
	}
	if tags, _, err := language.ParseAcceptLanguage(h); err == nil {
		return tags
	}
	type weighted struct {
		tag language.Tag
		q   float32
	}
	var list []weighted
	for i, part := range strings.Split(h, ",") {
		if i >= maxAcceptLanguages {
			break
		}
		tags, qs, err := language.ParseAcceptLanguage(part)
		if err != nil {
			continue
		}
		for j, t := range tags {
			list = append(list, weighted{tag: t, q: qs[j]})
		}
	}
	slices.SortStableFunc(list, func(a, b weighted) int {
		switch {
		case a.q > b.q:
			return -1
		case a.q < b.q:
			return 1
		}
		return 0
	})
	tags := make([]language.Tag, len(list))
	for i, w := range list {
		tags[i] = w.tag
	}
	return tags
}
