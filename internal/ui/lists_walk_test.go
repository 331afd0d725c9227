package ui_test

import (
	"net/url"
	"testing"

	"waymark.city/waymark/internal/app/apptest"
)

// The staff lists' exports and a case's area in the route walk.
func init() {
	pageCases["GET /cases.csv"] = pageCase{}
	pageCases["GET /cases.xlsx"] = pageCase{}
	pageCases["GET /deadlines.csv"] = pageCase{}
	pageCases["GET /deadlines.xlsx"] = pageCase{}
	pageCases["GET /tasks.csv"] = pageCase{}
	pageCases["GET /tasks.xlsx"] = pageCase{}
	pageCases["GET /reports.csv"] = pageCase{}
	pageCases["GET /reports.xlsx"] = pageCase{}
	pageCases["POST /cases/{id}/area"] = pageCase{id: freshCase, form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{"area": {""}}
	}}
}
