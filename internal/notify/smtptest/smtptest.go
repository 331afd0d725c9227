// Package smtptest is an SMTP server for tests: it listens on loopback,
// speaks enough ESMTP for net/smtp (EHLO, optional AUTH PLAIN, MAIL FROM,
// RCPT TO, DATA, RSET, NOOP, QUIT) and keeps every message it accepted.
// Tests make it refuse recipients or fail the next deliveries to exercise
// retries. It is a real conversation over TCP, not a mock of a client.
package smtptest

import (
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"strings"
	"sync"
	"time"
)

// Message is one accepted message.
type Message struct {
	From string
	To   []string
	// Data is the message as sent after DATA (headers and body, CRLF line
	// ends), with dot-stuffing undone.
	Data string
	// User is the name the client authenticated as; empty without AUTH.
	User string
}

// Server is a running test SMTP server.
type Server struct {
	ln net.Listener

	mu       sync.Mutex
	msgs     []Message
	failData int             // the next failData DATA commands get 451
	reject   map[string]bool // RCPT TO addresses answered 550
	user     string          // AUTH PLAIN credentials; empty means no AUTH
	password string
	sessions int
	arrived  chan struct{}

	wg sync.WaitGroup
}

// Start listens on a free loopback port and serves until Close.
func Start() (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("smtptest: listen: %w", err)
	}
	s := &Server{ln: ln, reject: map[string]bool{}, arrived: make(chan struct{}, 1024)}
	s.wg.Go(s.accept)
	return s, nil
}

// Addr is the server's host:port.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Close stops the server and waits for its connections to end.
func (s *Server) Close() error {
	err := s.ln.Close()
	s.wg.Wait()
	return err
}

// RequireAuth makes the server advertise AUTH PLAIN and accept mail only
// after authenticating as user with password.
func (s *Server) RequireAuth(user, password string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.user, s.password = user, password
}

// FailData makes the next n DATA commands fail with a temporary error (451).
func (s *Server) FailData(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failData = n
}

// Reject makes RCPT TO:<addr> fail with 550.
func (s *Server) Reject(addr string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reject[strings.ToLower(addr)] = true
}

// Messages returns the messages accepted so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// Sessions returns how many SMTP conversations were opened.
func (s *Server) Sessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sessions
}

// Wait waits until at least n messages were accepted or timeout passes,
// and returns the messages accepted so far.
func (s *Server) Wait(n int, timeout time.Duration) []Message {
	deadline := time.After(timeout)
	for {
		if msgs := s.Messages(); len(msgs) >= n {
			return msgs
		}
		select {
		case <-s.arrived:
		case <-deadline:
			return s.Messages()
		}
	}
}

func (s *Server) accept() {
	for {
		conn, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		s.sessions++
		s.mu.Unlock()
		s.wg.Go(func() {
			defer conn.Close()
			_ = conn.SetDeadline(time.Now().Add(time.Minute))
			s.serve(textproto.NewConn(conn))
		})
	}
}

// serve runs one SMTP conversation (RFC 5321, the subset net/smtp uses).
func (s *Server) serve(c *textproto.Conn) {
	reply := func(format string, args ...any) bool { return c.PrintfLine(format, args...) == nil }
	if !reply("220 smtptest ESMTP ready") {
		return
	}
	var (
		greeted bool
		authed  string
		from    string
		to      []string
		inMail  bool
	)
	for {
		line, err := c.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		verb = strings.ToUpper(verb)
		s.mu.Lock()
		needAuth := s.user != ""
		s.mu.Unlock()
		switch {
		case verb == "EHLO" || verb == "HELO":
			greeted = true
			from, to, inMail = "", nil, false
			if verb == "HELO" {
				reply("250 smtptest")
				continue
			}
			lines := []string{"smtptest", "8BITMIME", "SIZE 1048576"}
			if needAuth {
				lines = append(lines, "AUTH PLAIN")
			}
			for i, l := range lines {
				sep := "-"
				if i == len(lines)-1 {
					sep = " "
				}
				reply("250%s%s", sep, l)
			}
		case !greeted && verb != "QUIT" && verb != "NOOP":
			reply("503 5.5.1 say EHLO first")
		case verb == "AUTH":
			user, ok := s.auth(c, arg)
			if !ok {
				reply("535 5.7.8 authentication failed")
				continue
			}
			authed = user
			reply("235 2.7.0 authenticated")
		case verb == "MAIL":
			if needAuth && authed == "" {
				reply("530 5.7.0 authentication required")
				continue
			}
			addr, ok := path(arg, "FROM:")
			if !ok {
				reply("501 5.5.4 syntax: MAIL FROM:<address>")
				continue
			}
			from, to, inMail = addr, nil, true
			reply("250 2.1.0 ok")
		case verb == "RCPT":
			addr, ok := path(arg, "TO:")
			switch {
			case !inMail:
				reply("503 5.5.1 need MAIL first")
			case !ok:
				reply("501 5.5.4 syntax: RCPT TO:<address>")
			case s.rejects(addr):
				reply("550 5.1.1 <%s>: no such user", addr)
			default:
				to = append(to, addr)
				reply("250 2.1.5 ok")
			}
		case verb == "DATA":
			if !inMail || len(to) == 0 {
				reply("503 5.5.1 need RCPT first")
				continue
			}
			reply("354 end data with <CR><LF>.<CR><LF>")
			data, err := io.ReadAll(c.DotReader())
			if err != nil {
				return
			}
			if s.takeFailure() {
				reply("451 4.3.0 temporary failure, try again later")
			} else {
				s.mu.Lock()
				s.msgs = append(s.msgs, Message{From: from, To: to, Data: strings.ReplaceAll(string(data), "\n", "\r\n"), User: authed})
				s.mu.Unlock()
				select {
				case s.arrived <- struct{}{}:
				default:
				}
				reply("250 2.0.0 queued")
			}
			from, to, inMail = "", nil, false
		case verb == "RSET":
			from, to, inMail = "", nil, false
			reply("250 2.0.0 ok")
		case verb == "NOOP":
			reply("250 2.0.0 ok")
		case verb == "QUIT":
			reply("221 2.0.0 bye")
			return
		default:
			reply("502 5.5.2 command not implemented")
		}
	}
}

// auth handles AUTH PLAIN, with the credentials on the line or after a 334.
func (s *Server) auth(c *textproto.Conn, arg string) (string, bool) {
	mech, initial, _ := strings.Cut(arg, " ")
	if !strings.EqualFold(mech, "PLAIN") {
		return "", false
	}
	if initial == "" {
		if c.PrintfLine("334 ") != nil {
			return "", false
		}
		line, err := c.ReadLine()
		if err != nil {
			return "", false
		}
		initial = line
	}
	raw, err := base64.StdEncoding.DecodeString(initial)
	if err != nil {
		return "", false
	}
	parts := strings.Split(string(raw), "\x00")
	if len(parts) != 3 {
		return "", false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.user == "" || parts[1] != s.user || parts[2] != s.password {
		return "", false
	}
	return parts[1], true
}

func (s *Server) rejects(addr string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reject[strings.ToLower(addr)]
}

func (s *Server) takeFailure() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failData > 0 {
		s.failData--
		return true
	}
	return false
}

// path parses "FROM:<addr> [params]" or "TO:<addr> [params]".
func path(arg, prefix string) (string, bool) {
	if len(arg) < len(prefix) || !strings.EqualFold(arg[:len(prefix)], prefix) {
		return "", false
	}
	rest := strings.TrimSpace(arg[len(prefix):])
	if !strings.HasPrefix(rest, "<") {
		return "", false
	}
	end := strings.IndexByte(rest, '>')
	if end < 0 {
		return "", false
	}
	return rest[1:end], true
}
