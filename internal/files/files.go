// Package files makes files people upload safe to keep: it recognises a
// file by its content, never by its name, accepts only JPEG, PNG and PDF,
// and re-encodes images so that no metadata survives (EXIF with the GPS
// position and camera serial, XMP, comments). Reports from the public and
// case notes both store what Clean returns.
package files

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"net/http"
)

// Media types accepted.
const (
	TypeJPEG = "image/jpeg"
	TypePNG  = "image/png"
	TypePDF  = "application/pdf"
)

// Why a file was refused; callers turn these into their own messages.
var (
	ErrType          = errors.New("not a JPEG, PNG or PDF file")
	ErrTooLarge      = errors.New("file too large")
	ErrDamaged       = errors.New("file damaged")
	ErrImageTooLarge = errors.New("image has too many pixels")
)

// maxPixels bounds a decoded image (about 25 megapixels, a large phone
// photo), so a small file that claims huge dimensions cannot make the
// server allocate gigabytes.
const maxPixels = 25_000_000

// Cleaner cleans files of up to a maximum size, decoding few images at a
// time because decoding holds the whole bitmap in memory.
type Cleaner struct {
	maxSize int64
	sem     chan struct{}
}

// NewCleaner returns a cleaner for files of at most maxSize bytes that
// decodes at most concurrent images at once.
func NewCleaner(maxSize int64, concurrent int) *Cleaner {
	return &Cleaner{maxSize: maxSize, sem: make(chan struct{}, max(concurrent, 1))}
}

// MaxSize is the largest file the cleaner accepts, in bytes.
func (c *Cleaner) MaxSize() int64 { return c.maxSize }

// Clean checks what data is by its content and returns it ready to store:
// images re-encoded, PDFs unchanged. A refusal is one of the Err values.
func (c *Cleaner) Clean(data []byte) (mediaType string, clean []byte, err error) {
	if len(data) == 0 {
		return "", nil, ErrType
	}
	if int64(len(data)) > c.maxSize {
		return "", nil, ErrTooLarge
	}
	switch http.DetectContentType(data) {
	case TypePDF:
		return TypePDF, data, nil
	case TypeJPEG:
		mediaType = TypeJPEG
	case TypePNG:
		mediaType = TypePNG
	default:
		return "", nil, ErrType
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return "", nil, ErrDamaged
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > maxPixels/cfg.Height {
		return "", nil, ErrImageTooLarge
	}
	c.sem <- struct{}{}
	defer func() { <-c.sem }()
	var img image.Image
	if mediaType == TypeJPEG {
		img, err = jpeg.Decode(bytes.NewReader(data))
		if err == nil {
			img = orient(img, jpegOrientation(data))
		}
	} else {
		img, err = png.Decode(bytes.NewReader(data))
	}
	if err != nil {
		return "", nil, ErrDamaged
	}
	var out bytes.Buffer
	if mediaType == TypeJPEG {
		err = jpeg.Encode(&out, img, &jpeg.Options{Quality: 88})
	} else {
		err = (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&out, img)
	}
	if err != nil {
		return "", nil, fmt.Errorf("re-encode image: %w", err)
	}
	return mediaType, out.Bytes(), nil
}

// jpegOrientation reads the EXIF orientation (1–8) of a JPEG, or 1. Phones
// store photos as the sensor saw them plus this tag; re-encoding drops the
// tag, so it is applied to the pixels first or the picture would turn
// sideways.
func jpegOrientation(data []byte) int {
	if len(data) < 4 || data[0] != 0xFF || data[1] != 0xD8 {
		return 1
	}
	for i := 2; i+4 <= len(data); {
		if data[i] != 0xFF {
			return 1
		}
		marker := data[i+1]
		if marker == 0xDA || marker == 0xD9 { // start of scan, end of image
			return 1
		}
		size := int(binary.BigEndian.Uint16(data[i+2 : i+4]))
		if size < 2 || i+2+size > len(data) {
			return 1
		}
		seg := data[i+4 : i+2+size]
		if marker == 0xE1 && len(seg) > 6 && string(seg[:6]) == "Exif\x00\x00" {
			return tiffOrientation(seg[6:])
		}
		i += 2 + size
	}
	return 1
}

// tiffOrientation finds tag 0x0112 in the first IFD of a TIFF header.
func tiffOrientation(t []byte) int {
	if len(t) < 8 {
		return 1
	}
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 1
	}
	off := int(bo.Uint32(t[4:8]))
	if off < 8 || off+2 > len(t) {
		return 1
	}
	n := int(bo.Uint16(t[off : off+2]))
	for k := range n {
		e := off + 2 + 12*k
		if e+12 > len(t) {
			return 1
		}
		if bo.Uint16(t[e:e+2]) == 0x0112 && bo.Uint16(t[e+2:e+4]) == 3 {
			if v := int(bo.Uint16(t[e+8 : e+10])); v >= 1 && v <= 8 {
				return v
			}
			return 1
		}
	}
	return 1
}

// orient returns img turned and mirrored as EXIF orientation o says.
func orient(img image.Image, o int) image.Image {
	if o <= 1 || o > 8 {
		return img
	}
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	ow, oh := w, h
	if o >= 5 {
		ow, oh = h, w
	}
	out := image.NewRGBA(image.Rect(0, 0, ow, oh))
	for y := range h {
		for x := range w {
			var nx, ny int
			switch o {
			case 2: // mirrored horizontally
				nx, ny = w-1-x, y
			case 3: // turned 180°
				nx, ny = w-1-x, h-1-y
			case 4: // mirrored vertically
				nx, ny = x, h-1-y
			case 5: // mirrored along the top-left diagonal
				nx, ny = y, x
			case 6: // turned 90° clockwise
				nx, ny = h-1-y, x
			case 7: // mirrored along the other diagonal
				nx, ny = h-1-y, w-1-x
			case 8: // turned 90° counter-clockwise
				nx, ny = y, w-1-x
			}
			out.Set(nx, ny, img.At(b.Min.X+x, b.Min.Y+y))
		}
	}
	return out
}
