package notify

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"waymark.city/waymark/internal/i18n"
)

// Reminders is how reminders are mailed: crisis-unit deadlines, agreement
// renewals, contract reviews, business follow-ups. The jobs runner sends
// them.
type Reminders struct {
	// Mailer is the SMTP server; without an address no mail is sent and
	// what is due stays unreminded until one is configured.
	Mailer Mailer
	// PublicURL is where staff reach Waymark; the mail links to it.
	PublicURL string
	// Catalog writes the mail in each user's language.
	Catalog *i18n.Catalog
	// Address returns a user's e-mail address, "" when there is none. The
	// address is personal data sealed by the accounts service; the caller
	// opens it there (an audited read), not this package.
	Address func(ctx context.Context, userID string) (string, error)
}

// Ready reports whether reminders can go out at all.
func (r Reminders) Ready() bool { return r.Mailer.Addr != "" && r.Address != nil && r.Catalog != nil }

// Recipient is a user a reminder goes to, with the language they read.
type Recipient struct {
	UserID, Language string
}

// MailEach mails each recipient who has an address the subject and body
// write makes in their language (base is the address links start with).
// It tries every recipient and returns how many mails were sent and every
// failure.
func (r Reminders) MailEach(ctx context.Context, to []Recipient, write func(p *i18n.Printer, base string) (subject, body string)) (int, error) {
	base := strings.TrimRight(r.PublicURL, "/")
	sent := 0
	var errs []error
	for _, u := range to {
		addr, err := r.Address(ctx, u.UserID)
		if err != nil {
			errs = append(errs, fmt.Errorf("address of user %s: %w", u.UserID, err))
			continue
		}
		if addr == "" {
			continue
		}
		subject, body := write(r.Catalog.For(r.Catalog.Match(u.Language, "")), base)
		if _, err := r.Mailer.Send(ctx, Mail{To: []string{addr}, Subject: subject, Body: body}); err != nil {
			errs = append(errs, fmt.Errorf("mail user %s: %w", u.UserID, err))
			continue
		}
		sent++
	}
	return sent, errors.Join(errs...)
}
