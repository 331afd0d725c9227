package campaigns

import (
	"context"
	"fmt"

	"waymark.city/waymark/internal/storage"
)

// storedCode is the SQL form of an outreach session's material code as
// its team typed it ("ab3-d7k"), in the stored form of an attribution
// code ("AB3D7K", see NormaliseCode), so that it matches the material's.
// The outreach form takes letters, digits, dashes and underscores only.
const storedCode = `UPPER(REPLACE(s.material_code, '-', ''))`

// handedOut counts, by the campaign's codes, the materials outreach
// sessions held within the campaign's period handed out: part of the
// reach of the material whose code they name. It reads the outreach
// sessions' table for the numbers alone (outreach does not know about
// campaigns, and campaigns need no more of it).
func handedOut(ctx context.Context, tx *storage.Tx, c Campaign) (map[string]int, error) {
	rows, err := tx.QueryContext(ctx, `SELECT s.code, SUM(s.materials) FROM (SELECT `+storedCode+` AS code, s.materials
			FROM outreach_sessions s WHERE s.held_on >= $1 AND s.held_on <= $2) s
		WHERE s.code IN (SELECT m.code FROM campaign_materials m WHERE m.campaign_id = $3) GROUP BY s.code`, c.StartsOn, c.EndsOn, c.ID)
	if err != nil {
		return nil, fmt.Errorf("count materials handed out at outreach for campaign %s: %w", c.ID, err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var code string
		var n int
		if err := rows.Scan(&code, &n); err != nil {
			return nil, fmt.Errorf("count materials handed out at outreach: %w", err)
		}
		out[code] = n
	}
	return out, rows.Err()
}
