package geo

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/paulmach/orb"
)

// BasemapPath is where Waymark serves the operator's basemap, from its
// own origin: a map page never asks another server for tiles.
const BasemapPath = "/map/basemap.pmtiles"

// headerSize is the fixed size of a PMTiles version 3 header.
const headerSize = 127

// Basemap is a PMTiles (version 3) archive the operator points Waymark to.
// Only its header is read, to check at start that the file is one and to
// show what it covers; the tiles are served as bytes, by range, to a
// client that renders them.
type Basemap struct {
	file    *os.File
	size    int64
	modTime time.Time
	info    BasemapInfo
}

// BasemapInfo is what a basemap's header says about it.
type BasemapInfo struct {
	// Bound is the area the tiles cover (longitude, latitude).
	Bound            orb.Bound
	MinZoom, MaxZoom int
	// TileType is "mvt", "png", "jpeg", "webp", "avif" or "unknown".
	TileType string
	Size     int64
}

// OpenBasemap opens and checks a PMTiles file. The error says what is
// wrong with the file, for the operator reading the start-up log.
func OpenBasemap(path string) (*Basemap, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("basemap: %w", err)
	}
	st, err := f.Stat()
	if err == nil && !st.Mode().IsRegular() {
		err = errors.New("not a regular file")
	}
	var info BasemapInfo
	if err == nil {
		info, err = readHeader(f, st.Size())
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("basemap %s: %w", path, err)
	}
	return &Basemap{file: f, size: st.Size(), modTime: st.ModTime(), info: info}, nil
}

// Info is what the basemap's header says.
func (b *Basemap) Info() BasemapInfo { return b.info }

// Close closes the file.
func (b *Basemap) Close() error { return b.file.Close() }

// ServeHTTP serves the archive with range requests (a PMTiles client reads
// the header and directories first, then single tiles). It does not ask
// who is asking: the route serving it is for signed-in users only.
func (b *Basemap) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/vnd.pmtiles")
	// A section reader reads with ReadAt, so requests in parallel share the
	// one open file without sharing a file offset.
	http.ServeContent(w, r, "basemap.pmtiles", b.modTime, io.NewSectionReader(b.file, 0, b.size))
}

var tileTypes = []string{"unknown", "mvt", "png", "jpeg", "webp", "avif"}

// readHeader reads and checks the fixed header (PMTiles specification v3,
// chapter 3: little-endian offsets and lengths of the sections, then zoom
// levels and bounds in units of 10⁻⁷ degrees).
func readHeader(r io.ReaderAt, size int64) (BasemapInfo, error) {
	h := make([]byte, headerSize)
	if _, err := r.ReadAt(h, 0); err != nil {
		return BasemapInfo{}, errors.New("too short for a PMTiles header")
	}
	if !bytes.Equal(h[:7], []byte("PMTiles")) {
		return BasemapInfo{}, errors.New("not a PMTiles archive")
	}
	if h[7] != 3 {
		return BasemapInfo{}, fmt.Errorf("PMTiles version %d; version 3 is supported", h[7])
	}
	u64 := func(at int) uint64 { return binary.LittleEndian.Uint64(h[at:]) }
	degrees := func(at int) float64 { return float64(int32(binary.LittleEndian.Uint32(h[at:]))) / 1e7 }
	for _, section := range []struct {
		name string
		at   int
	}{{"root directory", 8}, {"metadata", 24}, {"leaf directories", 40}, {"tile data", 56}} {
		off, n := u64(section.at), u64(section.at+8)
		if off > uint64(size) || n > uint64(size)-off {
			return BasemapInfo{}, fmt.Errorf("its %s lies beyond the end of the file (truncated?)", section.name)
		}
	}
	if u64(8)+u64(16) > 16384 {
		return BasemapInfo{}, errors.New("its root directory does not end within the first 16 KiB")
	}
	info := BasemapInfo{
		MinZoom: int(h[100]), MaxZoom: int(h[101]), Size: size, TileType: "unknown",
		Bound: orb.Bound{Min: orb.Point{degrees(102), degrees(106)}, Max: orb.Point{degrees(110), degrees(114)}},
	}
	if int(h[99]) < len(tileTypes) {
		info.TileType = tileTypes[h[99]]
	}
	b := info.Bound
	if b.Min[0] < -180 || b.Max[0] > 180 || b.Min[1] < -90 || b.Max[1] > 90 || b.Min[0] > b.Max[0] || b.Min[1] > b.Max[1] {
		return BasemapInfo{}, errors.New("its bounds are not longitudes and latitudes")
	}
	if info.MinZoom > info.MaxZoom {
		return BasemapInfo{}, errors.New("its minimum zoom is above its maximum")
	}
	return info, nil
}
