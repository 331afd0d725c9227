package public

import (
	"context"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"time"

	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/intake"
	"waymark.city/waymark/internal/web"
)

// Form parsing limits: the text fields are small; files have their own
// limit from the intake configuration.
const (
	maxTextPart = 48 << 10 // one text field; longer is cut and then fails validation
	maxParts    = 200      // form fields and files together
	honeypot    = "website"
)

// textFields are the report form's single-value text fields.
var textFields = []string{"details", "place_type", "area", "seen_on", "time_of_day", "people", "age_group",
	"gender", "urgency", "contact", "campaign_code", "challenge", "nonce", honeypot}

// reportInput is a parsed report form.
type reportInput struct {
	Values map[string]string // single-value fields as sent
	Signs  []string
	Files  [][]byte
	// FileErr is set when a file was over the limit or the body was cut
	// off; the text fields read before it are kept, so the form can be
	// shown again with them.
	FileErr error
	// acquired is true once acquire granted a turn.
	acquired bool
}

// parseReport reads the report form, multipart (with files) or URL-encoded,
// from body. Unknown fields are ignored; every read is bounded. Before the
// first file it calls acquire, which may wait for a turn (files are held in
// memory) or refuse, in which case the text read so far is kept and the
// files field gets an error.
func parseReport(contentType string, body io.Reader, maxFile int64, maxFiles int, acquire func() bool) (*reportInput, error) {
	in := &reportInput{Values: map[string]string{}}
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return nil, apperr.New(apperr.Unsupported, "public.error.form")
	}
	switch mt {
	case "application/x-www-form-urlencoded":
		data, err := io.ReadAll(io.LimitReader(body, maxParts*maxTextPart+1))
		if err != nil {
			return nil, bodyError(err)
		}
		form, err := url.ParseQuery(string(data))
		if err != nil {
			return nil, apperr.New(apperr.Invalid, "public.error.form")
		}
		for _, f := range textFields {
			in.Values[f] = cut(form.Get(f))
		}
		in.Signs = form["signs"]
		if len(in.Signs) > maxParts {
			in.Signs = in.Signs[:maxParts]
		}
		return in, nil
	case "multipart/form-data":
	default:
		return nil, apperr.New(apperr.Unsupported, "public.error.form")
	}
	boundary := params["boundary"]
	if boundary == "" || len(boundary) > 70 {
		return nil, apperr.New(apperr.Unsupported, "public.error.form")
	}
	mr := multipart.NewReader(body, boundary)
	for parts := 0; ; parts++ {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return in, nil
		}
		if err != nil {
			return in.stop(err)
		}
		if parts >= maxParts {
			p.Close()
			return in, nil
		}
		name := p.FormName()
		switch {
		case name == "files":
			if p.FileName() == "" {
				break // the file input left empty
			}
			if !in.acquired {
				if !acquire() {
					in.FileErr = apperr.Validation(apperr.FieldError{Field: "files", Key: "public.error.busy_files"})
					p.Close()
					return in, nil
				}
				in.acquired = true
			}
			data, err := io.ReadAll(io.LimitReader(p, maxFile+1))
			if err != nil {
				p.Close()
				return in.stop(err)
			}
			if int64(len(data)) > maxFile {
				in.FileErr = apperr.Validation(apperr.FieldError{Field: "files", Key: "public.error.file_too_large",
					Args: map[string]any{"n": maxFile >> 20}})
				p.Close()
				return in, nil
			}
			if len(in.Files) >= maxFiles {
				in.FileErr = apperr.Validation(apperr.FieldError{Field: "files", Key: "public.error.too_many_files",
					Args: map[string]any{"n": maxFiles}})
				p.Close()
				return in, nil
			}
			in.Files = append(in.Files, data)
		case name == "signs":
			data, err := io.ReadAll(io.LimitReader(p, 256))
			if err != nil {
				p.Close()
				return in.stop(err)
			}
			in.Signs = append(in.Signs, string(data))
		case isTextField(name):
			data, err := io.ReadAll(io.LimitReader(p, maxTextPart))
			if err != nil {
				p.Close()
				return in.stop(err)
			}
			in.Values[name] = string(data)
		}
		p.Close()
	}
}

// stop ends parsing at a read error: a body over the limit keeps what was
// read and reports it on the files field (only files make a form that
// large); anything else is a malformed form.
func (in *reportInput) stop(err error) (*reportInput, error) {
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		in.FileErr = apperr.Validation(apperr.FieldError{Field: "files", Key: "public.error.too_large"})
		return in, nil
	}
	return nil, bodyError(err)
}

func bodyError(err error) error {
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return apperr.Wrap(apperr.TooLarge, "public.error.too_large", err)
	}
	return apperr.Wrap(apperr.Invalid, "public.error.form", err)
}

// checkText refuses a report whose text holds a control character (see
// web.ControlFree) before anything is counted or stored.
func (in *reportInput) checkText() error {
	fields := map[string][]string{"signs": in.Signs}
	for k, v := range in.Values {
		fields[k] = []string{v}
	}
	return web.CheckText(fields)
}

func isTextField(name string) bool {
	for _, f := range textFields {
		if f == name {
			return true
		}
	}
	return false
}

func cut(s string) string {
	if len(s) > maxTextPart {
		return s[:maxTextPart]
	}
	return s
}

// submission turns the parsed form into the intake's input.
func (in *reportInput) submission(lang string) (intake.Submission, intake.Work) {
	v := in.Values
	return intake.Submission{
		Details: v["details"], PlaceType: v["place_type"], Area: v["area"], SeenOn: v["seen_on"],
		TimeOfDay: v["time_of_day"], People: v["people"], AgeGroup: v["age_group"], Gender: v["gender"],
		Signs: in.Signs, Urgency: v["urgency"], Contact: v["contact"], Code: v["campaign_code"], Language: lang, Attachments: in.Files,
	}, intake.Work{Challenge: v["challenge"], Nonce: v["nonce"]}
}

// receiptPage is what receipt.html receives.
type receiptPage struct {
	Code string // formatted in groups
	Held bool
}

// reportSubmit takes a report. The order matters: the body is read first
// (bounded), so that whatever goes wrong the form comes back with the text
// the person typed; then the honeypot, the fields and the proof of work,
// the rate limit, and only then the costly part (image re-encoding,
// argon2id, encryption).
func (h *Handler) reportSubmit(w http.ResponseWriter, r *http.Request) {
	v := h.newView(r, "public.report.title")
	cfg := h.intake.Config()
	r.Body = http.MaxBytesReader(w, r.Body, cfg.MaxBody())
	turn := false
	in, err := parseReport(r.Header.Get("Content-Type"), r.Body, cfg.MaxAttachmentSize, cfg.MaxAttachments,
		func() bool { turn = h.acquireUpload(r.Context()); return turn })
	if turn {
		defer func() { <-h.uploads }()
	}
	if err == nil {
		err = in.checkText()
	}
	if err != nil {
		status := h.fail(v, r, err)
		h.renderReport(w, r, status, v, nil, nil)
		return
	}
	// Let the browser finish sending a body that was cut off, so it sees
	// the answer instead of a broken connection.
	_, _ = io.Copy(io.Discard, r.Body)
	// One submission at a time from here on — the checks, the form shown
	// again, the hashing and encryption — so that a flood of reports takes
	// at most one core and staff pages keep the other.
	select {
	case h.submits <- struct{}{}:
		defer func() { <-h.submits }()
	case <-r.Context().Done():
		return
	}

	if strings.TrimSpace(in.Values[honeypot]) != "" {
		// Only a script fills the hidden field: it gets what a person would,
		// and nothing is stored.
		code := fakeCode()
		v.TitleKey = "public.receipt.title"
		v.Data = receiptPage{Code: intake.FormatCode(code)}
		h.render(w, r, http.StatusOK, "receipt", v)
		return
	}
	sub, work := in.submission(v.P.Lang())
	values := in.Values
	delete(values, "challenge")
	delete(values, "nonce")
	if in.FileErr != nil {
		status := h.fail(v, r, in.FileErr)
		h.renderReport(w, r, status, v, values, in.Signs)
		return
	}
	// Fields and proof of work are checked before anything is counted;
	// the budget spent is the solved proof of work's, else the address's.
	again := func(err error) {
		status := h.fail(v, r, err)
		if len(in.Files) > 0 {
			// A browser cannot fill a file input again.
			v.Notice = v.P.T("public.report.files_again")
		}
		h.renderReport(w, r, status, v, values, in.Signs)
	}
	if err := h.intake.AdmitSubmission(r.Context(), h.clientKey(r), sub, work); err != nil {
		again(err)
		return
	}
	rec, err := h.intake.Submit(r.Context(), sub, work)
	if err != nil {
		again(err)
		return
	}
	v.TitleKey = "public.receipt.title"
	v.Data = receiptPage{Code: intake.FormatCode(rec.Code), Held: rec.Held}
	h.render(w, r, http.StatusOK, "receipt", v)
}

// acquireUpload waits for a turn to read a report's files, so that many
// large uploads at once cannot exhaust memory.
func (h *Handler) acquireUpload(ctx context.Context) bool {
	t := time.NewTimer(h.wait)
	defer t.Stop()
	select {
	case h.uploads <- struct{}{}:
		return true
	case <-ctx.Done():
		return false
	case <-t.C:
		return false
	}
}
