package campaigns

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/url"
	"strings"

	"github.com/boombuler/barcode/qr"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/storage"
)

// QR image layout: every module is QRScale pixels wide, with the quiet
// zone of QRQuiet modules around the symbol that scanners need.
const (
	QRScale = 8
	QRQuiet = 4
)

// ReportPath is the public report form's path; the public package serves
// it (public.PathReport) and reads the code from the "c" parameter.
const ReportPath = "/report"

// ReportURL is the public report form's address with a material's code
// and language, which its QR code encodes. The address starts with the
// configured PublicURL, else with fallback (the address the coordinator
// reached Waymark at), as the mapping's invitation links do.
func (s *Service) ReportURL(m Material, fallback string) string {
	q := url.Values{"c": {m.Code}, "lang": {m.Language}}
	return s.base(fallback) + ReportPath + "?" + q.Encode()
}

func (s *Service) base(fallback string) string {
	if s.publicURL != "" {
		return s.publicURL
	}
	return strings.TrimRight(fallback, "/")
}

// QR draws the QR code of a material as a PNG: the public report form with
// the material's code. It is refused for a campaign whose call to action
// is not set or does not send people to the report form, since the code
// would lead them somewhere the material does not ask them to go, and
// when there is no address to lead to (see ReportURL).
func (s *Service) QR(ctx context.Context, actor access.Actor, campaignID, materialID, fallback string) ([]byte, error) {
	if _, err := s.cases.Authorize(ctx, actor, access.ViewCampaigns, "campaign", campaignID); err != nil {
		return nil, err
	}
	var m Material
	err := s.cases.DB().Read(ctx, func(tx *storage.Tx) error {
		c, err := s.campaign(ctx, tx, campaignID)
		if err != nil {
			return err
		}
		if !c.CTA.Set() || !c.CTA.Report {
			return apperr.New(apperr.Conflict, "campaigns.error.qr_cta")
		}
		m, err = material(c, materialID)
		return err
	})
	if err != nil {
		return nil, err
	}
	if s.base(fallback) == "" {
		return nil, apperr.New(apperr.Conflict, "campaigns.error.qr_public_url")
	}
	return QRImage(s.ReportURL(m, fallback))
}

// QRImage draws content as a black-on-white QR code PNG with medium error
// correction (a poster may be scratched).
func QRImage(content string) ([]byte, error) {
	code, err := qr.Encode(content, qr.M, qr.Auto)
	if err != nil {
		return nil, fmt.Errorf("encode QR code: %w", err)
	}
	n := code.Bounds().Dx()
	side := (n + 2*QRQuiet) * QRScale
	img := image.NewPaletted(image.Rect(0, 0, side, side), color.Palette{color.White, color.Black})
	for y := range n {
		for x := range n {
			if r, _, _, _ := code.At(x, y).RGBA(); r != 0 {
				continue
			}
			for dy := range QRScale {
				for dx := range QRScale {
					img.SetColorIndex((x+QRQuiet)*QRScale+dx, (y+QRQuiet)*QRScale+dy, 1)
				}
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("write QR code PNG: %w", err)
	}
	return buf.Bytes(), nil
}
