package app

import (
	"io/fs"

	"waymark.city/waymark/internal/forms"
	"waymark.city/waymark/internal/ui"
	areasui "waymark.city/waymark/internal/ui/areas"
	businessesui "waymark.city/waymark/internal/ui/businesses"
	campaignsui "waymark.city/waymark/internal/ui/campaigns"
	inspectionsui "waymark.city/waymark/internal/ui/inspections"
	intelligenceui "waymark.city/waymark/internal/ui/intelligence"
	mappingui "waymark.city/waymark/internal/ui/mapping"
	"waymark.city/waymark/internal/ui/municipality"
	outreachui "waymark.city/waymark/internal/ui/outreach"
	"waymark.city/waymark/internal/ui/page"
	partnersui "waymark.city/waymark/internal/ui/partners"
	planui "waymark.city/waymark/internal/ui/plan"
	procurementui "waymark.city/waymark/internal/ui/procurement"
	sitechecksui "waymark.city/waymark/internal/ui/sitechecks"
	statisticsui "waymark.city/waymark/internal/ui/statistics"
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
		procurementui.New(kit, a.Procurement),
		sitechecksui.New(kit, a.SiteChecks),
		outreachui.New(kit, a.Outreach, a.Accounts, a.Interpreters, a.Geo.Current),
		businessesui.New(kit, a.Businesses, a.Accounts),
		inspectionsui.New(kit, a.Inspections, a.Accounts, a.Mapping, a.Geo.Current),
		intelligenceui.New(kit, a.Intelligence, a.Geo.Current),
		mappingui.New(kit, a.Mapping, a.Accounts, a.Plan, a.Assistance, a.Training, a.Geo.Current, a.Config.PublicURL),
		statisticsui.New(kit, a.Statistics, a.Statistics.Operations(a.Intake.Deadline)),
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
		procurementui.Pages(),
		sitechecksui.Pages(),
		outreachui.Pages(),
		businessesui.Pages(),
		inspectionsui.Pages(),
		intelligenceui.Pages(),
		mappingui.Pages(),
		statisticsui.Pages(),
		forms.Templates(),
	}
}

// PageRoutes is every staff page route, the areas' included, for tests
// that walk them all and for docs/permissions.md. Routes only returns
// method values, so handlers without dependencies are enough to read it.
func PageRoutes() []ui.Route {
	return ui.New(ui.Deps{Areas: (&App{}).areas(nil)}).Routes()
}
