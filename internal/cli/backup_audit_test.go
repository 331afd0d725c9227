package cli_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"waymark.city/waymark/internal/storage/storagetest"
)

// TestBackupRestoreAudited: a backup leaves an entry in the log it copied,
// a restore one in the log it restored, and both logs verify.
func TestBackupRestoreAudited(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			in := newInstallation(t, engine)
			in.seedDemo(t)
			file := filepath.Join(t.TempDir(), "waymark.backup")
			mustRun(t, nil, "", append([]string{"backup", file}, in.flags()...)...)
			mustRun(t, nil, "", append([]string{"audit", "verify"}, in.flags()...)...)
			if got := auditEntries(t, in.open(t), "backup."); !slices.Equal(got, []string{"backup.create  "}) {
				t.Errorf("source log: %q, want one backup.create", got)
			}

			restored := newInstallation(t, engine)
			restored.cfg.KeysFile = in.cfg.KeysFile
			r := mustRun(t, nil, "", append([]string{"restore", file}, restored.flags()...)...)
			if !strings.Contains(r.stdout, "audit log OK") {
				t.Errorf("restore: %s", r)
			}
			// The backup was taken before its own entry was written.
			if got := auditEntries(t, restored.open(t), "backup."); !slices.Equal(got, []string{"backup.restore  "}) {
				t.Errorf("restored log: %q, want one backup.restore", got)
			}
		})
	}
}
