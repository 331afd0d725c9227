package vault

import (
	"crypto/hkdf"
	"crypto/sha256"
	"fmt"
)

// DerivedKey derives a 32-byte key for purpose (e.g. "backup") from the
// master key id, so files such as backups are sealed under the same key
// management as the data: whoever holds the key file can open them, and a
// retired master key still opens what it sealed.
func (k *Keyring) DerivedKey(id, purpose string) ([]byte, error) {
	m, ok := k.byID[id]
	if !ok {
		return nil, fmt.Errorf("derive %s key: master key %s is not in the key file", purpose, id)
	}
	return hkdf.Key(sha256.New, m.key, nil, "waymark/"+purpose+"/v1", keySize)
}
