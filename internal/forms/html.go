package forms

import (
	"embed"
	"io/fs"
)

//go:embed templates/_questionnaire.html
var templates embed.FS

// Templates returns the "questionnaire" partial (file _questionnaire.html)
// for a surface's shell to parse with its pages. The partial renders a
// *State (after State.Show) inside the page's own <form>.
func Templates() fs.FS {
	sub, err := fs.Sub(templates, "templates")
	if err != nil {
		panic(err) // the directory is embedded above
	}
	return sub
}
