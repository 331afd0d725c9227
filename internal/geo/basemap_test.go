package geo_test

import (
	"encoding/binary"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"waymark.city/waymark/internal/geo"
)

// writePMTiles writes a small archive with a valid version 3 header: a
// 100-byte root directory right after the header, tile data after it,
// PNG tiles of zoom 10 to 14, bounds around Riverton.
func writePMTiles(t *testing.T, version byte, size int) string {
	t.Helper()
	b := make([]byte, size)
	copy(b, "PMTiles")
	b[7] = version
	put := func(at int, v uint64) { binary.LittleEndian.PutUint64(b[at:], v) }
	put(8, 127)  // root directory offset
	put(16, 100) // root directory length
	put(24, 227) // metadata offset
	put(32, 0)
	put(40, 227) // leaf directories
	put(48, 0)
	put(56, 227) // tile data
	put(64, uint64(size-227))
	b[99], b[100], b[101] = 2, 10, 14
	deg := func(at int, d float64) { binary.LittleEndian.PutUint32(b[at:], uint32(int32(d*1e7))) }
	deg(102, 0.1)
	deg(106, 0.2)
	deg(110, 0.17)
	deg(114, 0.26)
	for i := 227; i < size; i++ {
		b[i] = byte(i)
	}
	path := filepath.Join(t.TempDir(), "riverton.pmtiles")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestBasemapServesRanges(t *testing.T) {
	path := writePMTiles(t, 3, 4096)
	bm, err := geo.OpenBasemap(path)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	defer bm.Close()
	info := bm.Info()
	if info.MinZoom != 10 || info.MaxZoom != 14 || info.TileType != "png" || info.Size != 4096 ||
		info.Bound.Min[0] != 0.1 || info.Bound.Max[1] != 0.26 {
		t.Errorf("info %+v; want zoom 10–14, png, 4096 bytes, bounds 0.1,0.2–0.17,0.26", info)
	}
	srv := httptest.NewServer(bm)
	defer srv.Close()
	req, _ := http.NewRequest(http.MethodGet, srv.URL+geo.BasemapPath, nil)
	req.Header.Set("Range", "bytes=1000-1009")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusPartialContent || res.Header.Get("Content-Range") != "bytes 1000-1009/4096" || len(body) != 10 || body[0] != byte(1000%256) {
		t.Errorf("range request: %d %q, %d bytes; want 206, bytes 1000-1009/4096, the ten bytes", res.StatusCode, res.Header.Get("Content-Range"), len(body))
	}
	if ct := res.Header.Get("Content-Type"); ct != "application/vnd.pmtiles" {
		t.Errorf("content type %q", ct)
	}
}

func TestBasemapRefusesWhatIsNotOne(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	truncated := writePMTiles(t, 3, 4096)
	if err := os.Truncate(truncated, 1000); err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct{ path, says string }{
		"missing":   {filepath.Join(dir, "none.pmtiles"), "no such file"},
		"directory": {dir, "not a regular file"},
		"short":     {write("short", []byte("PMTiles\x03")), "too short"},
		"mbtiles":   {write("db", append([]byte("SQLite format 3\x00"), make([]byte, 200)...)), "not a PMTiles archive"},
		"version 2": {writePMTiles(t, 2, 4096), "version 2"},
		"truncated": {truncated, "beyond the end"},
	} {
		_, err := geo.OpenBasemap(tc.path)
		if err == nil || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%s: err = %v; want one saying %q", name, err, tc.says)
		}
	}
}
