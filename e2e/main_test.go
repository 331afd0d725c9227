package e2e

import (
	"os"
	"testing"

	"waymark.city/waymark/internal/storage/storagetest"
)

// TestMain gives the walks that run on both engines the PostgreSQL test
// server (scripts/test starts one; without it they run on SQLite only).
func TestMain(m *testing.M) { os.Exit(storagetest.Main(m)) }
