package files_test

import (
	"bytes"
	"errors"
	"image"
	"image/png"
	"testing"

	"waymark.city/waymark/internal/files"
)

func pngFile(t testing.TB, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, w, h))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestClean(t *testing.T) {
	c := files.NewCleaner(64<<10, 1)
	pdf := []byte("%PDF-1.4\n% a scanned contract\n%%EOF\n")
	good := pngFile(t, 30, 10)
	tests := []struct {
		name string
		data []byte
		typ  string
		err  error
	}{
		{"pdf kept as it is", pdf, files.TypePDF, nil},
		{"png re-encoded", good, files.TypePNG, nil},
		{"empty", nil, "", files.ErrType},
		{"text", []byte("just some words, not a file we take"), "", files.ErrType},
		{"html", []byte("<html><script>alert(1)</script></html>"), "", files.ErrType},
		{"too large", append(bytes.Repeat([]byte{0}, 64<<10), 1), "", files.ErrTooLarge},
		{"cut off", good[:len(good)/2], "", files.ErrDamaged},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			typ, clean, err := c.Clean(tt.data)
			if !errors.Is(err, tt.err) || typ != tt.typ {
				t.Fatalf("Clean = %q, %v; want %q, %v", typ, err, tt.typ, tt.err)
			}
			if err == nil && typ == files.TypePDF && !bytes.Equal(clean, pdf) {
				t.Error("a PDF was changed")
			}
			if err == nil && typ == files.TypePNG {
				if cfg, _, err := image.DecodeConfig(bytes.NewReader(clean)); err != nil || cfg.Width != 30 || cfg.Height != 10 {
					t.Errorf("re-encoded image: %+v, %v", cfg, err)
				}
			}
		})
	}
}

// FuzzClean feeds hostile bytes to the cleaner: it must refuse or clean,
// never panic, and whatever it keeps must again be a file it accepts.
func FuzzClean(f *testing.F) {
	f.Add(pngFile(f, 3, 2))
	f.Add([]byte("%PDF-1.7\n"))
	f.Add([]byte("\xff\xd8\xff\xe1\x00\x10Exif\x00\x00II*\x00\x08\x00\x00\x00"))
	c := files.NewCleaner(1<<20, 1)
	f.Fuzz(func(t *testing.T, data []byte) {
		typ, clean, err := c.Clean(data)
		if err != nil {
			return
		}
		if again, _, err := c.Clean(clean); err != nil || again != typ {
			t.Fatalf("cleaned %s is refused on a second pass: %v", typ, err)
		}
	})
}
