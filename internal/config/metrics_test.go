package config_test

import (
	"fmt"
	"strings"
	"testing"
)

func TestMetricsSettings(t *testing.T) {
	token := strings.Repeat("t", 32)
	c, err := parse(t, map[string]string{"WAYMARK_METRICS_TOKEN": token, "WAYMARK_METRICS_ADDR": "127.0.0.1:9100"})
	if err != nil || string(c.MetricsToken) != token || c.MetricsAddr != "127.0.0.1:9100" {
		t.Errorf("from environment = %q %q, %v", c.MetricsAddr, c.MetricsToken, err)
	}
	if strings.Contains(fmt.Sprintf("%v %+v", c, c), token) {
		t.Error("the metrics token shows in the printed configuration")
	}
	if c, err := parse(t, nil, "--metrics-addr", "10.0.0.5:9100"); err != nil || c.MetricsAddr != "10.0.0.5:9100" || c.MetricsToken != "" {
		t.Errorf("flag = %q %q, %v", c.MetricsAddr, c.MetricsToken, err)
	}
	if _, err := parse(t, nil, "--metrics-addr", "no-port"); err == nil {
		t.Error("--metrics-addr without a port accepted")
	}
	if _, err := parse(t, map[string]string{"WAYMARK_METRICS_TOKEN": "short"}); err == nil || strings.Contains(err.Error(), "short") {
		t.Errorf("a short metrics token: %v", err)
	}
}
