package backup

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"
)

// Values in a row line are JSON, typed so that every value the drivers hand
// out comes back as the same Go type and bytes:
//
//	NULL → null, integer → number, bool → true/false, valid UTF-8 text → string,
//	[]byte → {"b": base64}, time → {"ts": RFC3339Nano in UTC},
//	float → {"f": shortest decimal}, text that is not UTF-8 → {"x": base64}.
//
// JSON strings cannot carry invalid UTF-8 (encoding/json would replace it),
// hence "x"; JSON numbers would lose float-ness, hence "f".

func appendValue(buf []byte, v any) ([]byte, error) {
	switch v := v.(type) {
	case nil:
		return append(buf, "null"...), nil
	case int64:
		return strconv.AppendInt(buf, v, 10), nil
	case bool:
		return strconv.AppendBool(buf, v), nil
	case string:
		if !utf8.ValidString(v) {
			return appendTagged(buf, "x", base64.StdEncoding.EncodeToString([]byte(v))), nil
		}
		return appendJSONString(buf, v), nil
	case []byte:
		return appendTagged(buf, "b", base64.StdEncoding.EncodeToString(v)), nil
	case time.Time:
		// Waymark stores UTC; normalising here also keeps SQLite's text
		// timestamps sortable whatever zone a driver reported.
		return appendTagged(buf, "ts", v.UTC().Format(time.RFC3339Nano)), nil
	case float64:
		return appendTagged(buf, "f", strconv.FormatFloat(v, 'g', -1, 64)), nil
	}
	return buf, fmt.Errorf("unsupported column value type %T", v)
}

func appendTagged(buf []byte, tag, s string) []byte {
	buf = append(buf, `{"`...)
	buf = append(buf, tag...)
	buf = append(buf, `":`...)
	buf = appendJSONString(buf, s)
	return append(buf, '}')
}

func appendJSONString(buf []byte, s string) []byte {
	b, _ := json.Marshal(s) // a string always marshals
	return append(buf, b...)
}

// parseValue is the inverse of appendValue.
func parseValue(raw json.RawMessage) (any, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return nil, fmt.Errorf("empty value")
	}
	switch raw[0] {
	case 'n':
		if string(raw) == "null" {
			return nil, nil
		}
	case 't', 'f':
		var b bool
		err := json.Unmarshal(raw, &b)
		return b, err
	case '"':
		var s string
		err := json.Unmarshal(raw, &s)
		return s, err
	case '{':
		var tagged map[string]string
		if err := json.Unmarshal(raw, &tagged); err != nil || len(tagged) != 1 {
			return nil, fmt.Errorf("bad typed value %.40s", raw)
		}
		for tag, s := range tagged {
			switch tag {
			case "b":
				return base64.StdEncoding.DecodeString(s) // non-nil even when empty: an empty BLOB is not NULL
			case "x":
				b, err := base64.StdEncoding.DecodeString(s)
				return string(b), err
			case "ts":
				return time.Parse(time.RFC3339Nano, s)
			case "f":
				return strconv.ParseFloat(s, 64)
			}
			return nil, fmt.Errorf("unknown value tag %q", tag)
		}
	default:
		return strconv.ParseInt(string(raw), 10, 64)
	}
	return nil, fmt.Errorf("bad value %.40s", raw)
}
