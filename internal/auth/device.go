package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"time"
)

// A device token says "this browser completed a sign-in to this account
// before" (OWASP, Slow Down Online Guessing Attacks with Device Cookies).
// Layout: version (1) | issued, Unix seconds (8) | random device id (16) |
// MAC (16), base64url. The MAC binds the user id, so a token opens no other
// account; tokens are not stored, and a new throttle secret voids them all.
const (
	deviceVersion  byte = 1
	deviceIDLen         = 16
	deviceMACLen        = 16
	deviceBodyLen       = 1 + 8 + deviceIDLen
	deviceTokenLen      = deviceBodyLen + deviceMACLen
	// DeviceTokenLife is how long a device token is recognised; every
	// complete sign-in issues a fresh one.
	DeviceTokenLife = 180 * 24 * time.Hour
)

// DeviceToken returns a new device token for userID, to give the browser
// after a complete sign-in.
func (t *Throttle) DeviceToken(userID string, now time.Time) string {
	token := make([]byte, deviceBodyLen, deviceTokenLen)
	token[0] = deviceVersion
	binary.BigEndian.PutUint64(token[1:9], uint64(now.Unix()))
	_, _ = rand.Read(token[9:]) // crypto/rand.Read never fails
	token = append(token, t.deviceMAC(userID, token)...)
	return base64.RawURLEncoding.EncodeToString(token)
}

// Device returns the device id of the first of tokens that is a valid,
// unexpired device token of userID, or "" when none is (an unknown
// browser). Anything malformed is simply not recognised.
func (t *Throttle) Device(tokens []string, userID string, now time.Time) string {
	if userID == "" {
		return ""
	}
	for _, tok := range tokens {
		if len(tok) != base64.RawURLEncoding.EncodedLen(deviceTokenLen) {
			continue
		}
		b, err := base64.RawURLEncoding.Strict().DecodeString(tok)
		if err != nil || b[0] != deviceVersion {
			continue
		}
		body, mac := b[:deviceBodyLen], b[deviceBodyLen:]
		if !hmac.Equal(mac, t.deviceMAC(userID, body)) {
			continue
		}
		issued := time.Unix(int64(binary.BigEndian.Uint64(body[1:9])), 0)
		if now.Before(issued.Add(-time.Minute)) || !now.Before(issued.Add(DeviceTokenLife)) {
			continue
		}
		return hex.EncodeToString(body[9:])
	}
	return ""
}

func (t *Throttle) deviceMAC(userID string, body []byte) []byte {
	m := hmac.New(sha256.New, t.secret)
	fmt.Fprintf(m, "device-token\x00%d:%s\x00", len(userID), userID)
	m.Write(body)
	return m.Sum(nil)[:deviceMACLen]
}
