package intelligence

import (
	"strings"

	"waymark.city/waymark/internal/persondata"
)

// The channel is never about victims. Before an entry is stored,
// persondata.Check looks in its text for signs that it is about a victim or
// holds a person's data, and the submitter is shown what was found and asked
// to remove it or confirm the entry is about a business, place or recruiter
// (Submit with the flags confirmed; the confirmation is audited as a code).
// It never refuses: it must not stand in the way of what the channel is for.

// Review is the answer to a submission whose text shows signs of being
// about a victim: nothing was stored; the submitter sees Flags and removes
// what they point at or confirms them (Input.Confirmed).
type Review struct {
	Flags []persondata.Flag
}

func (r *Review) Error() string {
	return "intelligence: the text may be about a victim (" + strings.Join(persondata.Kinds(r.Flags), ",") + ")"
}
