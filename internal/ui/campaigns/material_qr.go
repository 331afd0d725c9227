package campaignsui

import (
	"net/http"

	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/ui/page"
)

// qrRefused is what campaign_qr_refused.html receives.
type qrRefused struct {
	ID, Message string
	CanManage   bool
}

// qr is a material's QR code as a PNG, drawn by Waymark; printed on the
// material it opens the public report form with the code filled in. A
// refusal (no call to action to the report form) is a translated page that
// leads back to the campaign, where the call to action is set.
func (h *Handler) qr(w http.ResponseWriter, r *http.Request) {
	png, err := h.campaigns.QR(r.Context(), page.Actor(r), r.PathValue("id"), r.PathValue("material"), requestBase(r))
	if apperr.Is(err, apperr.Conflict) {
		v := h.kit.View(r, "error.title")
		v.Data = qrRefused{ID: r.PathValue("id"), Message: v.P.Error(err), CanManage: canManage(r)}
		h.kit.Render(w, r, http.StatusConflict, "campaign_qr_refused", v)
		return
	}
	if err != nil {
		h.kit.Fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Content-Disposition", `inline; filename="qr-`+r.PathValue("material")+`.png"`)
	_, _ = w.Write(png)
}

// requestBase is the address the coordinator reached Waymark at, for QR
// codes when no public address is configured.
func requestBase(r *http.Request) string {
	if r.TLS != nil {
		return "https://" + r.Host
	}
	return "http://" + r.Host
}
