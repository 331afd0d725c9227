package ui

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
)

type timelinePage struct {
	Nav     caseNav
	Entries []cases.Entry
	// Notes is true when the notes' text is shown (an audited read).
	Notes bool
	// SeesNotes is false for an organisation the notes were not shared with.
	SeesNotes bool
	CanNote   bool
	MaxNote   int
	MaxFile   int
	// Files numbers the notes' files oldest first, as /files/{n} names them.
	Files map[string]int
}

// showTimeline lists what happened on the case; notes show that they exist.
func (h *Handler) showTimeline(w http.ResponseWriter, r *http.Request) {
	h.renderTimeline(w, r, http.StatusOK, h.view(r, "timeline.title"), false)
}

// showNotes is the timeline with the text of the notes, an audited read.
func (h *Handler) showNotes(w http.ResponseWriter, r *http.Request) {
	h.renderTimeline(w, r, http.StatusOK, h.view(r, "timeline.title"), true)
}

func (h *Handler) renderTimeline(w http.ResponseWriter, r *http.Request, status int, v *web.View, notes bool) {
	a, entries, err := h.cases.Timeline(r.Context(), actor(r), r.PathValue("id"), notes, 0)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	files := map[string]int{}
	for i := len(entries) - 1; i >= 0; i-- {
		if entries[i].HasAttachment {
			files[entries[i].ID] = len(files) + 1
		}
	}
	v.Data = timelinePage{Nav: caseNavFor(v, a, "/timeline"), Entries: entries, Notes: notes, MaxNote: cases.MaxNote,
		MaxFile: cases.MaxFile >> 20, Files: files, SeesNotes: a.Sees(cases.Notes),
		CanNote: a.MayChange(actor(r), access.ManageCases, cases.Notes)}
	h.shell.Render(w, r, status, "case_timeline", v)
}

// addNote adds an encrypted note to the case.
func (h *Handler) addNote(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "timeline.title")
	note, file, err := readNote(w, r)
	if err == nil {
		v.Form["note"] = note
		_, err = h.cases.AddNote(r.Context(), actor(r), r.PathValue("id"), note, file)
	}
	if err != nil {
		h.formFailed(w, r, v, err, func(status int) { h.renderTimeline(w, r, status, v, false) })
		return
	}
	http.Redirect(w, r, "/cases/"+r.PathValue("id")+"/notes", http.StatusSeeOther)
}

// TakesFiles reports whether r posts a file to a route that sets its own
// limit (a case note, an area's upload); see web.LimitBody.
func (h *Handler) TakesFiles(r *http.Request) bool {
	if r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, "/cases/") && strings.HasSuffix(r.URL.Path, "/notes") {
		return true
	}
	for _, a := range h.areas {
		if u, ok := a.(page.Uploader); ok && u.TakesFiles(r) {
			return true
		}
	}
	return false
}

// readNote reads the note form: url-encoded, or multipart with a file.
func readNote(w http.ResponseWriter, r *http.Request) (string, *cases.File, error) {
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		r.Body = http.MaxBytesReader(w, r.Body, noteBody)
		if err := parseForm(r); err != nil {
			return "", nil, err
		}
		return r.PostFormValue("note"), nil, nil
	}
	r.Body = http.MaxBytesReader(w, r.Body, cases.MaxFile+noteBody)
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return "", nil, apperr.Validation(apperr.FieldError{Field: "file", Key: "error.file_too_large", Args: map[string]any{"n": cases.MaxFile >> 20}})
		}
		return "", nil, apperr.Wrap(apperr.Invalid, "error.bad_form", err)
	}
	defer r.MultipartForm.RemoveAll()
	note := r.PostFormValue("note")
	if !utf8.ValidString(note) {
		return "", nil, apperr.New(apperr.Invalid, "error.bad_encoding")
	}
	if err := web.CheckText(r.MultipartForm.Value); err != nil {
		return "", nil, err
	}
	fh := r.MultipartForm.File["file"]
	if len(fh) == 0 || fh[0].Size == 0 {
		return note, nil, nil
	}
	f, err := fh[0].Open()
	if err != nil {
		return "", nil, fmt.Errorf("open uploaded file: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, cases.MaxFile+1))
	if err != nil {
		return "", nil, fmt.Errorf("read uploaded file: %w", err)
	}
	return note, &cases.File{Name: fh[0].Filename, Data: data}, nil
}

// noteBody bounds a note's text part of the form.
const noteBody = 1 << 20

// showNoteFile sends the n-th file of a case's notes, an audited read.
func (h *Handler) showNoteFile(w http.ResponseWriter, r *http.Request) {
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil {
		h.fail(w, r, apperr.New(apperr.NotFound, "error.not_found"))
		return
	}
	f, err := h.cases.NoteFile(r.Context(), actor(r), r.PathValue("id"), n)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", f.MediaType)
	// Always a download, never shown inline: a file is never rendered in the
	// site's origin.
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": f.Name}))
	w.Header().Set("Content-Length", strconv.Itoa(len(f.Data)))
	_, _ = w.Write(f.Data)
}
