package intake

import (
	"context"
	"time"

	"waymark.city/waymark/internal/notify"
	"waymark.city/waymark/internal/storage"
)

// urgencyMissingChild is the urgency the hotline console gives a missing
// child (the 24-hour clock); the public form does not offer it.
const urgencyMissingChild = "missing_child"

// NotifiesOnCall reports whether a report of this urgency is mailed to
// on-call staff at once: someone in immediate danger, a child, a missing
// child.
func NotifiesOnCall(urgency string) bool {
	switch urgency {
	case UrgencyDanger, UrgencyChild, urgencyMissingChild:
		return true
	}
	return false
}

// notifyUrgent queues the on-call notification of report id inside tx, the
// transaction that stores it, when its urgency calls for one and a
// notifier is configured. Held reports are notified too — a person on a
// phone without JavaScript may be the one in danger — and the mail says
// so; the notifier's batching keeps a flood of them to one mail per run.
func (s *Service) notifyUrgent(ctx context.Context, tx *storage.Tx, id, urgency, status string, at time.Time) error {
	if s.notifier == nil || !NotifiesOnCall(urgency) {
		return nil
	}
	return s.notifier.Enqueue(ctx, tx, notify.Urgent{ReportID: id, Urgency: urgency, Held: status == StatusHeld, At: at})
}
