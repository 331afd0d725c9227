package accounts

import (
	"context"
	"errors"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/auth"
	"waymark.city/waymark/internal/storage"
)

// throttleClient is the throttle's view of a sign-in attempt on userID
// (empty for an unknown username): the client key, and the device id of
// the first of devices that is a valid device token of that account.
func (s *Service) throttleClient(client string, devices []string, userID string, now time.Time) auth.Client {
	return auth.Client{Key: client, Device: s.throttle.Device(devices, userID, now)}
}

// admitHash gives a sign-in's password check its turn at the hasher
// (auth.Hasher.Admit): unknown browsers are shed first, answered "try
// again in a moment".
func (s *Service) admitHash(ctx context.Context, who auth.Client) (release func(), err error) {
	release, err = s.hasher.Admit(ctx, who.Device != "")
	if errors.Is(err, auth.ErrBusy) {
		return nil, tooMany(auth.UnknownWait)
	}
	return release, err
}

// recordThrottled audits a sign-in refused because its client must wait,
// naming the targeted account when the username is one.
func (s *Service) recordThrottled(ctx context.Context, tx *storage.Tx, c credentials) error {
	return s.auditThrottled(ctx, tx, access.Actor{}, "auth.login", c)
}

// maxDeviceTokens is how many accounts' device tokens one browser keeps
// (a shared office computer).
const maxDeviceTokens = 4

// RememberDevice returns the device tokens the browser whose session
// token is token should keep, once that session is complete (password and
// second factor): a new token for its account first, then those of tokens
// (what the browser holds) that belong to other accounts. The page layer
// keeps them in a long-lived cookie; the browser's later sign-ins to the
// account are not slowed by failures elsewhere.
func (s *Service) RememberDevice(ctx context.Context, token string, tokens []string) ([]string, error) {
	cur, err := s.Resolve(ctx, token)
	if err != nil {
		return nil, err
	}
	if cur.Next != StepDone {
		return nil, apperr.New(apperr.Unauthorized, "error.unauthorized")
	}
	now := s.now()
	keep := []string{s.throttle.DeviceToken(cur.User.ID, now)}
	for _, t := range tokens {
		if len(keep) < maxDeviceTokens && s.throttle.Device([]string{t}, cur.User.ID, now) == "" {
			keep = append(keep, t)
		}
	}
	return keep, nil
}
