package audit

import (
	"context"
	"testing"

	"waymark.city/waymark/internal/storage"
)

// BenchmarkAppend measures one audit entry per committed transaction, the
// common case of one audited change per request.
func BenchmarkAppend(b *testing.B) {
	ctx := context.Background()
	db := openDB(b)
	l, _, _ := newLog(b)
	i := 0
	for b.Loop() {
		err := db.Write(ctx, func(tx *storage.Tx) error {
			_, err := l.Append(ctx, tx, sample(i))
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkVerify measures a full verification of 10,000 entries.
func BenchmarkVerify(b *testing.B) {
	ctx := context.Background()
	db := openDB(b)
	l, _, v := newLog(b)
	appendN(b, db, l, 10_000, 1000)
	for b.Loop() {
		r, err := Verify(ctx, db, v)
		if err != nil || !r.OK || r.Entries != 10_000 {
			b.Fatalf("verify = %+v, %v", r, err)
		}
	}
}
