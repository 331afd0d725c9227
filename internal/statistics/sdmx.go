package statistics

import (
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"waymark.city/waymark/internal/disclosure"
)

// SDMX-CSV 2.0 (the exchange flavour, IDs not labels): one message with a
// dataflow per table of the release. The columns are STRUCTURE,
// STRUCTURE_ID and ACTION, one column per dimension of any table (a row of
// a table without that dimension leaves it empty, as the format asks of
// messages with several structures), TIME_PERIOD, OBS_VALUE and the
// attributes OBS_STATUS (SDMX code list CL_OBS_STATUS) and CONF_STATUS
// (CL_CONF_STATUS).
//
//   - a count: OBS_VALUE, OBS_STATUS A (normal), CONF_STATUS F (free);
//   - a known zero: OBS_VALUE 0, A, F;
//   - an unknown count: OBS_VALUE empty, OBS_STATUS O (missing value),
//     CONF_STATUS F;
//   - a suppressed count: OBS_VALUE empty, OBS_STATUS O, CONF_STATUS C
//     (confidential). Primary and complementary suppression are not told
//     apart (A and D in CL_CONF_STATUS): a cell marked primary would tell
//     the recipient its count is at most the threshold.
//
// A margin's category is _T (total), the model's "unknown" category _U,
// other codes upper-cased.
const (
	sdmxAgency  = "WAYMARK"
	sdmxVersion = "1.0"
)

// DataflowID is the SDMX dataflow of a table of a preset.
func DataflowID(preset, table string) string {
	return sdmxAgency + ":DF_" + strings.ToUpper(preset+"_"+table) + "(" + sdmxVersion + ")"
}

func sdmxCode(dims []disclosure.Dimension, d, v int) string {
	switch {
	case v == disclosure.Total:
		return "_T"
	case dims[d].Categories[v].Code == Unknown:
		return "_U"
	}
	return strings.ToUpper(dims[d].Categories[v].Code)
}

// SDMXTime is the period as an SDMX reporting period: a year (2026), a
// quarter (2026-Q3), a month (2026-07), or else its first day and length
// in days (2026-01-01/P273D).
func SDMXTime(p Period) string {
	s := p.String()
	if !strings.Contains(s, "/") {
		return s
	}
	days := int(day(p.To).Sub(day(p.From))/(24*time.Hour)) + 1
	return day(p.From).Format(time.DateOnly) + "/P" + strconv.Itoa(days) + "D"
}

// WriteSDMX writes the release as an SDMX-CSV 2.0 message.
func (r *Release) WriteSDMX(w io.Writer) error {
	var dims []string
	for _, t := range r.Tables {
		for _, d := range t.Dimensions() {
			if c := strings.ToUpper(d.Code); !slices.Contains(dims, c) {
				dims = append(dims, c)
			}
		}
	}
	cw := csv.NewWriter(w)
	header := append([]string{"STRUCTURE", "STRUCTURE_ID", "ACTION"}, dims...)
	header = append(header, "TIME_PERIOD", "OBS_VALUE", "OBS_STATUS", "CONF_STATUS")
	if err := cw.Write(header); err != nil {
		return fmt.Errorf("write SDMX-CSV: %w", err)
	}
	period := SDMXTime(r.Period)
	for _, t := range r.Tables {
		tdims := t.Dimensions()
		for _, c := range t.Cells() {
			row := []string{"dataflow", DataflowID(r.Preset, t.Code), "I"}
			for _, name := range dims {
				v := ""
				for d, dim := range tdims {
					if strings.ToUpper(dim.Code) == name {
						v = sdmxCode(tdims, d, c.Key[d])
					}
				}
				row = append(row, v)
			}
			value, obs, conf := "", "O", "F"
			switch c.Status {
			case disclosure.Value, disclosure.KnownZero:
				value, obs = strconv.Itoa(c.Shown), "A"
			case disclosure.Suppressed:
				conf = "C"
			}
			row = append(row, period, value, obs, conf)
			if err := cw.Write(row); err != nil {
				return fmt.Errorf("write SDMX-CSV: %w", err)
			}
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write SDMX-CSV: %w", err)
	}
	return nil
}
