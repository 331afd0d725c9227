package cli_test

import (
	"strings"
	"testing"

	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
)

func TestAuditVerify(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			tests := []struct {
				name   string
				tamper string
			}{
				{"edited entry", `UPDATE audit_log SET detail = 'tampered' WHERE seq = 3`},
				{"deleted entry", `DELETE FROM audit_log WHERE seq = 3`},
				{"edited outcome", `UPDATE audit_log SET outcome = 'allowed' WHERE seq = 3`},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					in := newInstallation(t, engine)
					in.seedDemo(t)
					args := append([]string{"audit", "verify"}, in.flags()...)
					r := mustRun(t, nil, "", args...)
					if !strings.HasPrefix(r.stdout, "audit log OK: ") {
						t.Errorf("fresh log: %s", r)
					}

					in.exec(t, tt.tamper)
					r = run(t, nil, "", args...)
					if r.code != 1 {
						t.Fatalf("tampered log: exit %d, want 1: %s", r.code, r)
					}
					if !strings.Contains(r.stderr, "FAILED") || !strings.Contains(r.stderr, "entry 3") {
						t.Errorf("stderr does not name entry 3: %s", r)
					}
					if strings.Contains(r.stdout, "OK") {
						t.Errorf("tampered log reported OK: %s", r)
					}
				})
			}
		})
	}
}

func TestAuditVerifyWithoutKeys(t *testing.T) {
	in := newInstallation(t, storage.SQLite)
	in.seedDemo(t)
	r := run(t, nil, "", "audit", "verify", "--data", in.cfg.DataDir, "--keys", in.cfg.KeysFile+".missing")
	if r.code != 1 || !strings.Contains(r.stderr, "key file") {
		t.Errorf("without the key file: %s", r)
	}
}
