package ui

import (
	"embed"
	"io/fs"
)

//go:embed templates/*.html
var templates embed.FS

// Pages returns the page templates, for web.NewShell.
func Pages() fs.FS {
	sub, _ := fs.Sub(templates, "templates")
	return sub
}
