package mapping

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
)

// Area is a part of the city a round can cover and an answer can name.
type Area struct {
	Code string
	Name string
}

// WholeCity is the area choice of answers not tied to one area.
const WholeCity = "whole_city"

// areaList is the choice list the shipped forms ask "which part of the
// city" from.
const areaList = "area"

// areasIn returns the areas a round with scope covers: those named, or
// every current area of the city when scope is empty. A code no longer
// current keeps its code as its name.
func (s *Service) areasIn(ctx context.Context, scope []string) ([]Area, error) {
	var all []Area
	if s.areas != nil {
		var err error
		if all, err = s.areas(ctx); err != nil {
			return nil, fmt.Errorf("load the city's areas: %w", err)
		}
	}
	if len(scope) == 0 {
		return all, nil
	}
	out := make([]Area, 0, len(scope))
	for _, c := range scope {
		i := slices.IndexFunc(all, func(a Area) bool { return a.Code == c })
		if i < 0 {
			out = append(out, Area{Code: c, Name: c})
			continue
		}
		out = append(out, all[i])
	}
	return out, nil
}

func areaKey(areas []Area) string {
	var b strings.Builder
	for _, a := range areas {
		b.WriteString("|" + a.Code + "=" + a.Name)
	}
	return b.String()
}

// withAreas adds the areas as choices of the "area" list of a shipped
// questionnaire's text, right after its whole_city row. A "|" in a name
// would end the cell, so it is escaped.
func withAreas(src []byte, areas []Area) []byte {
	if len(areas) == 0 {
		return src
	}
	marker := []byte("| | " + areaList + " | " + WholeCity + " |")
	i := bytes.Index(src, marker)
	if i < 0 {
		return src
	}
	end := bytes.IndexByte(src[i:], '\n')
	if end < 0 {
		return src
	}
	end += i + 1
	var rows bytes.Buffer
	for _, a := range areas {
		name := strings.ReplaceAll(strings.ReplaceAll(a.Name, "|", `\|`), "\n", " ")
		fmt.Fprintf(&rows, "| | %s | %s | %s | %s |\n", areaList, areaChoice(a.Code), name, name)
	}
	out := make([]byte, 0, len(src)+rows.Len())
	out = append(out, src[:end]...)
	out = append(out, rows.Bytes()...)
	return append(out, src[end:]...)
}

// Areas lists the city's current areas a round can cover.
func (s *Service) Areas(ctx context.Context) ([]Area, error) { return s.areasIn(ctx, nil) }

// areaChoice is the name of an area's choice in the "area" list: its code,
// unless the code cannot be a choice name (an area uploaded without a code
// is known by its name, spaces and all, or the code is long); then a name
// derived from the code, the same in every round, so rounds compare.
func areaChoice(code string) string {
	plain := len(code) <= 64 && code != WholeCity && !strings.ContainsFunc(code, func(r rune) bool {
		return r <= ' ' || r == 0x7f || r == '|' || r == '\\'
	})
	if plain {
		return code
	}
	sum := sha256.Sum256([]byte(code))
	return "area-" + hex.EncodeToString(sum[:6])
}

// areaCodes maps the choice names of areas back to their codes.
func areaCodes(areas []Area) map[string]string {
	out := make(map[string]string, len(areas))
	for _, a := range areas {
		out[areaChoice(a.Code)] = a.Code
	}
	return out
}
