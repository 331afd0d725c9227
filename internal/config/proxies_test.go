package config_test

import (
	"net/netip"
	"slices"
	"testing"
)

func TestTrustedProxies(t *testing.T) {
	c, err := parse(t, nil)
	if err != nil || len(c.TrustedProxies) != 0 || c.ForwardedHeader != "X-Forwarded-For" {
		t.Errorf("default = %v %q, %v; want no proxy trusted", c.TrustedProxies, c.ForwardedHeader, err)
	}
	c, err = parse(t, map[string]string{"WAYMARK_TRUSTED_PROXIES": "10.0.0.7, 192.168.1.9/24,::1", "WAYMARK_FORWARDED_HEADER": "forwarded"})
	want := []netip.Prefix{netip.MustParsePrefix("10.0.0.7/32"), netip.MustParsePrefix("192.168.1.0/24"), netip.MustParsePrefix("::1/128")}
	if err != nil || !slices.Equal(c.TrustedProxies, want) || c.ForwardedHeader != "Forwarded" {
		t.Errorf("from environment = %v %q, %v", c.TrustedProxies, c.ForwardedHeader, err)
	}
	c, err = parse(t, map[string]string{"WAYMARK_TRUSTED_PROXIES": "10.0.0.7"}, "--trusted-proxies", "127.0.0.1")
	if err != nil || !slices.Equal(c.TrustedProxies, []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}) {
		t.Errorf("flag over environment = %v, %v", c.TrustedProxies, err)
	}
	for _, bad := range [][]string{
		{"--trusted-proxies", "proxy.example"}, {"--trusted-proxies", "10.0.0.0/33"}, {"--trusted-proxies", "fe80::1%eth0"},
		{"--forwarded-header", "X-Real-IP"},
	} {
		if _, err := parse(t, nil, bad...); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}
