package notify

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/smtp"
	"net/textproto"
	"strings"
	"time"
)

// Mailer sends plain-text mail through one SMTP server: a fresh
// conversation per message, STARTTLS whenever the server offers it, AUTH
// PLAIN when a user name is set (net/smtp refuses to send the password
// unencrypted to anything but localhost).
type Mailer struct {
	// Addr is the server's host:port, e.g. "mail.example.org:587".
	Addr string
	// From is the envelope and header sender address.
	From     string
	Username string
	Password string
	// Timeout bounds one whole conversation; 0 means 30 seconds.
	Timeout time.Duration
	// TLS configures STARTTLS; nil verifies the server's certificate for
	// the host of Addr.
	TLS *tls.Config
}

// SendError is a failed delivery, described without any address: SMTP
// replies often quote the mailbox they refuse, and logs must not carry it.
type SendError struct {
	Stage string // connect, hello, starttls, auth, mail, rcpt, data, quit
	Code  int    // the SMTP reply code; 0 when none (network error)
	// Temporary is true for 4xx replies and network errors: worth retrying.
	Temporary bool
	err       error // printed only when it is not a server reply
}

// Error names the stage and the reply code; the reply's text is left out.
// A network error (no reply) is shown: it names only the server.
func (e *SendError) Error() string {
	if e.Code != 0 {
		return fmt.Sprintf("smtp %s: reply %d", e.Stage, e.Code)
	}
	return fmt.Sprintf("smtp %s: %v", e.Stage, e.err)
}

func (e *SendError) Unwrap() error { return e.err }

func stageError(stage string, err error) error {
	se := &SendError{Stage: stage, Temporary: true, err: err}
	var tp *textproto.Error
	if errors.As(err, &tp) {
		se.Code = tp.Code
		se.Temporary = tp.Code < 500
	}
	return se
}

// Mail is one message.
type Mail struct {
	To      []string
	Subject string
	Body    string // plain text, lines separated by \n
}

// Send delivers m and returns how many recipients the server accepted.
// Refused recipients do not fail the message while at least one is
// accepted; the caller learns only the count.
func (m *Mailer) Send(ctx context.Context, mail Mail) (accepted int, err error) {
	timeout := m.Timeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	host, _, err := net.SplitHostPort(m.Addr)
	if err != nil {
		return 0, fmt.Errorf("smtp address %q: %w", m.Addr, err)
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", m.Addr)
	if err != nil {
		return 0, stageError("connect", err)
	}
	defer conn.Close()
	deadline, _ := ctx.Deadline()
	_ = conn.SetDeadline(deadline)
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		return 0, stageError("connect", err)
	}
	defer c.Close()
	if err := c.Hello(helloName()); err != nil {
		return 0, stageError("hello", err)
	}
	if ok, _ := c.Extension("STARTTLS"); ok {
		cfg := m.TLS
		if cfg == nil {
			cfg = &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
		}
		if err := c.StartTLS(cfg); err != nil {
			return 0, stageError("starttls", err)
		}
	}
	if m.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", m.Username, m.Password, host)); err != nil {
			return 0, stageError("auth", err)
		}
	}
	if err := c.Mail(m.From); err != nil {
		return 0, stageError("mail", err)
	}
	var lastRcpt error
	for _, to := range mail.To {
		if err := c.Rcpt(to); err != nil {
			lastRcpt = err
			continue
		}
		accepted++
	}
	if accepted == 0 {
		if lastRcpt == nil {
			lastRcpt = errors.New("no recipients configured")
		}
		return 0, stageError("rcpt", lastRcpt)
	}
	w, err := c.Data()
	if err != nil {
		return 0, stageError("data", err)
	}
	if _, err := w.Write(m.message(mail)); err != nil {
		return 0, stageError("data", err)
	}
	if err := w.Close(); err != nil {
		return 0, stageError("data", err)
	}
	// The message is accepted once DATA is answered; a failed QUIT does
	// not make it unsent.
	_ = c.Quit()
	return accepted, nil
}

// message renders headers and body. Recipients are not listed in the
// headers ("undisclosed-recipients"), so on-call staff do not learn each
// other's addresses from the mail.
func (m *Mailer) message(mail Mail) []byte {
	var b strings.Builder
	id := make([]byte, 16)
	_, _ = rand.Read(id)
	_, domain, _ := strings.Cut(m.From, "@")
	if domain == "" {
		domain = "waymark.invalid"
	}
	header := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	header("From", m.From)
	header("To", "undisclosed-recipients:;")
	header("Subject", mime.QEncoding.Encode("utf-8", mail.Subject))
	header("Date", time.Now().Format(time.RFC1123Z))
	header("Message-ID", "<"+hex.EncodeToString(id)+"@"+domain+">")
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=utf-8")
	header("Content-Transfer-Encoding", "8bit")
	// Ask auto-responders (out of office) not to answer.
	header("Auto-Submitted", "auto-generated")
	b.WriteString("\r\n")
	b.WriteString(strings.ReplaceAll(strings.TrimRight(mail.Body, "\n"), "\n", "\r\n"))
	b.WriteString("\r\n")
	return []byte(b.String())
}

// helloName is the name given in EHLO: net/smtp's default, not the
// machine's host name, which may name the organisation's internal network.
func helloName() string { return "localhost" }
