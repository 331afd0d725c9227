package app

import (
	"context"
	"strings"
	"time"

	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/notify"
)

// activationMailer sends a new account's activation link to its owner, in
// the account's language, so its creator never sees it. Without an SMTP
// server or a public URL to link to there is none, and the creator is shown
// the link once to hand over.
func (a *App) activationMailer() func(context.Context, accounts.ActivationMail) error {
	c := a.Config
	if c.SMTPAddr == "" || c.PublicURL == "" {
		return nil
	}
	mailer := notify.Mailer{Addr: c.SMTPAddr, From: c.SMTPFrom, Username: c.SMTPUsername, Password: string(c.SMTPPassword)}
	base := strings.TrimRight(c.PublicURL, "/")
	return func(ctx context.Context, m accounts.ActivationMail) error {
		p := a.Catalog.For(a.Catalog.Match(m.Language, ""))
		_, err := mailer.Send(ctx, notify.Mail{To: []string{m.To}, Subject: p.T("activate.mail_subject"),
			Body: p.T("activate.mail_body", "name", m.Username, "until", p.DateTime(m.ExpiresAt, time.Local), "link", base+"/activate/"+m.Token) + "\n"})
		return err
	}
}
