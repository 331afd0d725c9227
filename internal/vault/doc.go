// Package vault encrypts the identifying data Waymark keeps (names, contact
// details, notes, attachments) field by field, so that a copy of the
// database alone reveals nothing about the people in it.
//
// # Envelope encryption
//
// Every record ("cases/0190abcd-…", table/id) gets its own random 256-bit
// data key on first use. The data key is stored in table data_keys wrapped
// (AES-256-GCM) by the active master key from the key file; the master keys
// never touch the database. Fields are encrypted with AES-256-GCM under the
// record's data key.
//
// # Binding
//
// The associated data binds every ciphertext to where it belongs: a wrapped
// data key to its record ("waymark/dek/v1|"+record), a field ciphertext to
// its record and field (record+"|"+field). Copying a ciphertext or a wrapped
// key to another row or column makes it fail to open instead of silently
// showing one person's data as another's. A failure to open is treated as
// corruption (apperr.Internal).
//
// # Rotation
//
// Rotate adds a new master key to the key file (saved first, so servers
// that meet a key id they do not know reload the file), retires the old ones
// and rewraps every data key in small batches. Only the wrapped data keys
// change; field ciphertexts stay as they are. Retired keys stay in the file
// because older backups still need them. An interrupted rotation loses
// nothing: every row is always wrapped by some key in the file, and running
// Rotate (or Rewrap) again moves the rest.
//
// # Crypto-erasure
//
// Forget deletes a record's data key. Every field ever sealed for that
// record becomes unreadable at once, wherever its ciphertext was copied —
// except in backups taken earlier, which expire on their own schedule.
//
// # Blind index
//
// BlindIndex gives a keyed hash (HMAC-SHA256) for exact-match lookups of
// encrypted values. Its key is separate from the master keys and is never
// rotated, so stored index values stay valid.
package vault
