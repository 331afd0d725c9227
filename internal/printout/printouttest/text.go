// Package printouttest reads back what a printout's PDF shows, for tests:
// the text of every content stream, one line per piece of text set.
package printouttest

import (
	"bytes"
	"compress/zlib"
	"io"
	"strings"
	"testing"
	"unicode/utf16"
)

// Text is the text a PDF written by printout shows, one line per text
// object (a cell, a line of a paragraph), in the order it was set. It
// fails the test if pdf is not a PDF.
//
// printout embeds its fonts as Unicode (Identity-H) fonts whose character
// codes are UTF-16BE, so the strings in the content streams decode
// without the font's maps.
func Text(t testing.TB, pdf []byte) string {
	t.Helper()
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %.40q", pdf)
	}
	var out strings.Builder
	rest := pdf
	for {
		i := bytes.Index(rest, []byte("stream\n"))
		if i < 0 {
			break
		}
		rest = rest[i+len("stream\n"):]
		j := bytes.Index(rest, []byte("\nendstream"))
		if j < 0 {
			break
		}
		data := rest[:j]
		rest = rest[j+len("\nendstream"):]
		if r, err := zlib.NewReader(bytes.NewReader(data)); err == nil {
			if inflated, err := io.ReadAll(r); err == nil {
				data = inflated
			}
		}
		if bytes.Contains(data, []byte("BT ")) && bytes.Contains(data, []byte(")Tj")) {
			contentText(&out, data)
		}
	}
	return out.String()
}

// contentText writes the strings of a content stream's text objects.
func contentText(out *strings.Builder, data []byte) {
	inText, set := false, false
	for i := 0; i < len(data); i++ {
		switch {
		case bytes.HasPrefix(data[i:], []byte("BT ")):
			inText = true
		case bytes.HasPrefix(data[i:], []byte("ET")) && inText:
			inText = false
			if set {
				out.WriteByte('\n')
			}
			set = false
		case data[i] == '(' && inText:
			s, end := literal(data, i+1)
			out.WriteString(decode(s))
			i, set = end, true
		}
	}
}

// literal reads a PDF string literal starting after its "(" at i; it
// returns the bytes and the index of the closing ")".
func literal(data []byte, i int) ([]byte, int) {
	var s []byte
	depth := 0
	for ; i < len(data); i++ {
		c := data[i]
		switch {
		case c == '\\' && i+1 < len(data):
			i++
			switch data[i] {
			case 'r':
				s = append(s, '\r')
			case 'n':
				s = append(s, '\n')
			default:
				s = append(s, data[i])
			}
		case c == '(':
			depth++
			s = append(s, c)
		case c == ')':
			if depth == 0 {
				return s, i
			}
			depth--
			s = append(s, c)
		default:
			s = append(s, c)
		}
	}
	return s, i
}

func decode(s []byte) string {
	if len(s)%2 != 0 {
		return string(s)
	}
	u := make([]uint16, len(s)/2)
	for i := range u {
		u[i] = uint16(s[2*i])<<8 | uint16(s[2*i+1])
	}
	return string(utf16.Decode(u))
}
