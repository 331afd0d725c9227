package backup

import (
	"bufio"
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"waymark.city/waymark/internal/apperr"
)

// File layout. Everything after the header is a sequence of chunks:
//
//	header: magic | version (1 byte) | key id length (1) | key id | file id (16) | chunk size (4, big endian)
//	chunk:  final flag (1) | nonce (12) | ciphertext length (4) | AES-256-GCM ciphertext
//
// Each chunk's additional data is the whole header, the chunk's index (8
// bytes) and its final flag: a flipped, reordered, dropped or foreign chunk
// (the random file id differs between backups) fails to open, and a file
// cut off before its final chunk is reported as truncated.
const (
	magic        = "WAYMARK-BACKUP\n"
	fileVersion  = 1
	chunkSize    = 64 << 10
	maxChunkSize = 1 << 20 // bounds the memory a (forged) header can ask for
	fileIDSize   = 16
	nonceSize    = 12
	flagMore     = 0
	flagFinal    = 1
)

// unreadable is the error for a backup that is damaged, truncated or
// encrypted under another key: which one is not knowable, and the
// operator's remedy is the same.
func unreadable(format string, args ...any) error {
	return apperr.Wrap(apperr.Invalid, "error.backup_unreadable", fmt.Errorf(format, args...))
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("backup key must be 32 bytes (AES-256), got %d", len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("backup cipher: %w", err)
	}
	return cipher.NewGCM(block)
}

// encrypter is an io.WriteCloser that seals what it is given in chunks. A
// chunk is only written once the next byte arrives (or on Close), so the
// last chunk is always the one flagged final.
type encrypter struct {
	w      io.Writer
	aead   cipher.AEAD
	header []byte
	index  uint64
	buf    []byte
}

func newEncrypter(w io.Writer, key BackupKey) (*encrypter, error) {
	if key.ID == "" || len(key.ID) > 255 {
		return nil, fmt.Errorf("backup key id must be 1 to 255 bytes, got %d", len(key.ID))
	}
	aead, err := newAEAD(key.Key)
	if err != nil {
		return nil, err
	}
	var h bytes.Buffer
	h.WriteString(magic)
	h.WriteByte(fileVersion)
	h.WriteByte(byte(len(key.ID)))
	h.WriteString(key.ID)
	fileID := make([]byte, fileIDSize)
	_, _ = rand.Read(fileID) // crypto/rand.Read never fails
	h.Write(fileID)
	h.Write(binary.BigEndian.AppendUint32(nil, chunkSize))
	if _, err := w.Write(h.Bytes()); err != nil {
		return nil, fmt.Errorf("write backup header: %w", err)
	}
	return &encrypter{w: w, aead: aead, header: h.Bytes(), buf: make([]byte, 0, chunkSize)}, nil
}

func (e *encrypter) Write(p []byte) (int, error) {
	n := 0
	for len(p) > 0 {
		if len(e.buf) == chunkSize {
			if err := e.seal(flagMore); err != nil {
				return n, err
			}
		}
		k := min(chunkSize-len(e.buf), len(p))
		e.buf = append(e.buf, p[:k]...)
		p, n = p[k:], n+k
	}
	return n, nil
}

// Close writes the final chunk (possibly empty).
func (e *encrypter) Close() error { return e.seal(flagFinal) }

func (e *encrypter) seal(flag byte) error {
	nonce := make([]byte, nonceSize, nonceSize+1+4+len(e.buf)+e.aead.Overhead())
	_, _ = rand.Read(nonce)
	ct := e.aead.Seal(nil, nonce, e.buf, chunkAAD(e.header, e.index, flag))
	out := append([]byte{flag}, nonce...)
	out = binary.BigEndian.AppendUint32(out, uint32(len(ct)))
	out = append(out, ct...)
	if _, err := e.w.Write(out); err != nil {
		return fmt.Errorf("write backup chunk %d: %w", e.index, err)
	}
	e.index++
	e.buf = e.buf[:0]
	return nil
}

func chunkAAD(header []byte, index uint64, flag byte) []byte {
	aad := append([]byte(nil), header...)
	aad = binary.BigEndian.AppendUint64(aad, index)
	return append(aad, flag)
}

// decrypter is an io.Reader over the plaintext of an encrypted backup. It
// returns io.EOF only after an authentic final chunk with nothing after it.
type decrypter struct {
	r       *bufio.Reader
	aead    cipher.AEAD
	header  []byte
	keyID   string
	maxCT   int
	index   uint64
	plain   []byte
	done    bool
	chunkCT []byte
}

func newDecrypter(r io.Reader, keys KeyLookup) (*decrypter, error) {
	br := bufio.NewReaderSize(r, chunkSize+1024)
	var h bytes.Buffer
	fixed := make([]byte, len(magic)+2)
	if _, err := io.ReadFull(br, fixed); err != nil {
		return nil, unreadable("read backup header: %w", err)
	}
	if string(fixed[:len(magic)]) != magic {
		return nil, unreadable("not a Waymark backup")
	}
	if v := fixed[len(magic)]; v != fileVersion {
		return nil, apperr.Wrap(apperr.Invalid, "error.backup_unsupported", fmt.Errorf("backup format version %d", v))
	}
	h.Write(fixed)
	rest := make([]byte, int(fixed[len(magic)+1])+fileIDSize+4)
	if _, err := io.ReadFull(br, rest); err != nil {
		return nil, unreadable("read backup header: %w", err)
	}
	h.Write(rest)
	keyID := string(rest[:fixed[len(magic)+1]])
	size := binary.BigEndian.Uint32(rest[len(rest)-4:])
	if size == 0 || size > maxChunkSize {
		return nil, unreadable("chunk size %d out of range", size)
	}
	key, err := keys(keyID)
	if err != nil {
		return nil, apperr.Wrap(apperr.Invalid, "error.backup_key_unknown", fmt.Errorf("look up backup key %q: %w", keyID, err))
	}
	aead, err := newAEAD(key)
	if err != nil {
		return nil, err
	}
	return &decrypter{r: br, aead: aead, header: h.Bytes(), keyID: keyID, maxCT: int(size) + aead.Overhead()}, nil
}

func (d *decrypter) Read(p []byte) (int, error) {
	for len(d.plain) == 0 {
		if d.done {
			return 0, io.EOF
		}
		if err := d.open(); err != nil {
			return 0, err
		}
	}
	n := copy(p, d.plain)
	d.plain = d.plain[n:]
	return n, nil
}

func (d *decrypter) open() error {
	var head [1 + nonceSize + 4]byte
	if _, err := io.ReadFull(d.r, head[:]); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return unreadable("backup truncated before chunk %d", d.index)
		}
		return fmt.Errorf("read backup chunk %d: %w", d.index, err)
	}
	flag := head[0]
	n := int(binary.BigEndian.Uint32(head[1+nonceSize:]))
	if (flag != flagMore && flag != flagFinal) || n < d.aead.Overhead() || n > d.maxCT {
		return unreadable("backup chunk %d has a bad frame", d.index)
	}
	if cap(d.chunkCT) < n {
		d.chunkCT = make([]byte, n)
	}
	ct := d.chunkCT[:n]
	if _, err := io.ReadFull(d.r, ct); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return unreadable("backup truncated in chunk %d", d.index)
		}
		return fmt.Errorf("read backup chunk %d: %w", d.index, err)
	}
	plain, err := d.aead.Open(ct[:0], head[1:1+nonceSize], ct, chunkAAD(d.header, d.index, flag))
	if err != nil {
		return unreadable("backup chunk %d does not authenticate (damaged, or another key): %w", d.index, err)
	}
	d.plain = plain
	d.index++
	if flag == flagFinal {
		d.done = true
		if _, err := d.r.ReadByte(); err != io.EOF {
			return unreadable("data after the final backup chunk")
		}
	}
	return nil
}
