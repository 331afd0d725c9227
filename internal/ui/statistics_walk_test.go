package ui_test

// The statistics routes (ui/statistics) in the route walk.
func init() {
	pageCases["GET /statistics"] = pageCase{}
	pageCases["GET /statistics/services"] = pageCase{}
}
