package app

import (
	"io/fs"

	"waymark.city/waymark/internal/forms"
	"waymark.city/waymark/internal/ui"
	areasui "waymark.city/waymark/internal/ui/areas"
	campaignsui "waymark.city/waymark/internal/ui/campaigns"
	mappingui "waymark.city/waymark/internal/ui/mapping"
	"waymark.city/waymark/internal/ui/municipality"
	"waymark.city/waymark/internal/ui/page"
	partnersui "waymark.city/waymark/internal/ui/partners"
	planui "waymark.city/waymark/internal/ui/plan"
	trainingui "waymark.city/waymark/internal/ui/training"
	workgroupui "waymark.city/waymark/internal/ui/workgroup"
)

// areas are the staff pages that live in packages of their own under
// ui/, one line each; ui mounts them behind its session gate.
func (a *App) areas(kit *page.Kit) []page.Area {
	return []page.Area{
		municipality.New(kit),
		areasui.New(kit, a.Geo, a.Basemap),
		workgroupui.New(kit, a.Workgroup, a.Accounts),
		trainingui.New(kit, a.Training, a.Accounts),
		campaignsui.New(kit, a.Campaigns),
		partnersui.New(kit, a.Agreements),
		planui.New(kit, a.Plan),
		mappingui.New(kit, a.Mapping, a.Accounts, a.Plan, a.Assistance, a.Training, a.Geo.Current, a.Config.PublicURL),
	}
}

// areaPages are the templates of the areas (and of what their pages
// share, such as the questionnaire), one line each.
func areaPages() []fs.FS {
	return []fs.FS{
		municipality.Pages(),
		areasui.Pages(),
		workgroupui.Pages(),
		trainingui.Pages(),
		campaignsui.Pages(),
		partnersui.Pages(),
		planui.Pages(),
		mappingui.Pages(),
		forms.Templates(),
	}
}

// PageRoutes is every staff page route, the areas' included, for tests
// that walk them all and for docs/permissions.md. Routes only returns
// method values, so handlers without dependencies are enough to read it.
func PageRoutes() []ui.Route {
	return ui.New(ui.Deps{Areas: (&App{}).areas(nil)}).Routes()
}
