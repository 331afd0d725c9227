package areasui_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"html/template"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/accounts"
	"waymark.city/waymark/internal/app"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/assistance"
	"waymark.city/waymark/internal/demo"
	"waymark.city/waymark/internal/geo"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
	areasui "waymark.city/waymark/internal/ui/areas"
)

func TestMain(m *testing.M) { os.Exit(storagetest.Main(m)) }

// districts is a FeatureCollection of squares side by side, one per
// "code:name", with the features given as extra appended.
func districts(areas []string, extra ...string) string {
	var features []string
	for i, a := range areas {
		code, name, _ := strings.Cut(a, ":")
		lon := 0.1 + 0.01*float64(i)
		features = append(features, fmt.Sprintf(`{"type":"Feature","properties":{"code":%q,"name":%q},"geometry":{"type":"Polygon",`+
			`"coordinates":[[[%g,0.2],[%g,0.2],[%g,0.21],[%g,0.21],[%g,0.2]]]}}`, code, name, lon, lon+0.01, lon+0.01, lon, lon))
	}
	return `{"type":"FeatureCollection","features":[` + strings.Join(append(features, extra...), ",") + `]}`
}

// uploadForm is the multipart body of the upload form.
func uploadForm(t *testing.T, file string) (string, *bytes.Buffer) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("name_property", "name")
	_ = mw.WriteField("code_property", "code")
	fw, err := mw.CreateFormFile("file", "districts.geojson")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.WriteString(fw, file)
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return mw.FormDataContentType(), &body
}

func TestUploadAndListAreas(t *testing.T) {
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			env := apptest.Start(t, engine)
			city := env.Org("City Office", accounts.Municipality)
			coordinator := env.User("coord", access.Coordinator, city)
			analyst := env.User("analyst", access.Analyst, city)
			ngo := env.Org("NGO", accounts.NGO)
			worker := env.User("worker", access.CaseWorker, ngo)
			screener := env.User("screener", access.Screener, ngo)

			if body := apptest.Body(t, env.Do(coordinator, http.MethodGet, "/areas", "", nil)); !strings.Contains(body, `id="areas-none"`) {
				t.Errorf("the list without areas does not say so")
			}
			ctype, form := uploadForm(t, districts([]string{"1:Old Town", "2:Harbour"}))
			res := env.Do(coordinator, http.MethodPost, "/areas/upload", ctype, form)
			if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/areas?") {
				t.Fatalf("upload: %d %s; want a redirect to the list", res.StatusCode, res.Header.Get("Location"))
			}
			res = env.Do(analyst, http.MethodGet, res.Header.Get("Location"), "", nil)
			body := apptest.Body(t, res)
			for _, want := range []string{`role="img"`, `<title>Old Town</title>`, `id="area-2"`, "2 added, 0 changed"} {
				if !strings.Contains(body, want) {
					t.Errorf("the analyst's list lacks %q", want)
				}
			}
			if strings.Contains(body, `id="areas-upload"`) {
				t.Error("the analyst is offered the upload")
			}

			before, _ := env.App.Geo.Current(context.Background())
			point := `{"type":"Feature","properties":{"code":"3","name":"Station"},"geometry":{"type":"Point","coordinates":[0.1,0.2]}}`
			ctype, form = uploadForm(t, districts([]string{"1:Old Town renamed"}, point))
			res = env.Do(coordinator, http.MethodPost, "/areas/upload", ctype, form)
			body = apptest.Body(t, res)
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="f-file-error"`) ||
				!strings.Contains(body, "Feature 2 (Station) is a Point") {
				t.Errorf("a Point: %d; want 422 with the error at the file field naming feature 2", res.StatusCode)
			}
			if after, _ := env.App.Geo.Current(context.Background()); len(after) != len(before) || after[0].Name != before[0].Name {
				t.Errorf("a refused upload changed the areas: %+v", after)
			}

			for _, u := range []apptest.User{analyst, worker} {
				ctype, form = uploadForm(t, districts([]string{"9:Mine"}))
				if res := env.Do(u, http.MethodPost, "/areas/upload", ctype, form); res.StatusCode != http.StatusForbidden {
					t.Errorf("%s's upload: %d; want 403", u.Username, res.StatusCode)
				}
			}
			// The areas are published to the partnership; a screener has no
			// part in the municipality's work.
			if res := env.Do(worker, http.MethodGet, "/areas", "", nil); res.StatusCode != http.StatusOK {
				t.Errorf("a case worker's list: %d; want 200", res.StatusCode)
			}
			if res := env.Do(screener, http.MethodGet, "/areas", "", nil); res.StatusCode != http.StatusForbidden {
				t.Errorf("a screener's list: %d; want 403", res.StatusCode)
			}
		})
	}
}

// counter is a body of n spaces that counts what was read of it. The
// client's transport reads it in a goroutine of its own while the test
// looks at the count, hence the atomic.
type counter struct {
	left int64
	read atomic.Int64
}

func (c *counter) Read(p []byte) (int, error) {
	if c.left == 0 {
		return 0, io.EOF
	}
	n := min(int64(len(p)), c.left)
	for i := range p[:n] {
		p[i] = ' '
	}
	c.left -= n
	c.read.Add(n)
	return int(n), nil
}

// TestUploadOf50MBIsRefusedUnread sends a 50 MB body: the page refuses it
// with the translated error after reading little of it.
func TestUploadOf50MBIsRefusedUnread(t *testing.T) {
	env := apptest.Start(t, storage.SQLite)
	coordinator := env.User("coord", access.Coordinator, env.Org("City Office", accounts.Municipality))
	body := &counter{left: 50 << 20}
	req, err := http.NewRequest(http.MethodPost, env.Server.URL+"/areas/upload", body)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = 50 << 20
	req.Header.Set("Content-Type", "multipart/form-data; boundary=x")
	req.Header.Set("Cookie", coordinator.Cookie)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("post: %v", err)
	}
	defer res.Body.Close()
	page, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(page), "larger than 10 MiB") {
		t.Errorf("50 MB upload: %d; want 422 saying the file is larger than 10 MiB", res.StatusCode)
	}
	if n := body.read.Load(); n > geo.MaxUpload {
		t.Errorf("the client could send %d bytes of the 50 MB body", n)
	}
}

// TestNoShelterOnAnyMap renders every geo output of an installation whose
// directory has a shelter, and finds neither the shelter's name nor its
// address in any of them: maps take area codes and counts, nothing else.
func TestNoShelterOnAnyMap(t *testing.T) {
	env := apptest.Start(t, storage.SQLite)
	ngo := env.Org("Safe Harbour NGO", accounts.NGO)
	coordinator := env.User("coord", access.Coordinator, ngo)
	ctx := context.Background()
	shelter, err := env.App.Assistance.CreateProvider(ctx, coordinator.Actor, assistance.ProviderInput{
		Name: "Lindenhof Women's Shelter", Types: []string{"shelter"}, Languages: []string{"en"},
		Address: "7 Quiet Mews, Riverton", OrgID: ngo, Active: true, PlacesTotal: 4, PlaceGender: "women", PlaceAge: "adults"})
	if err != nil {
		t.Fatalf("create shelter: %v", err)
	}
	if !shelter.Shelter() {
		t.Fatal("the provider is not a shelter")
	}
	ctype, form := uploadForm(t, districts([]string{"1:Old Town", "2:Harbour"}))
	if res := env.Do(coordinator, http.MethodPost, "/areas/upload", ctype, form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("upload: %d", res.StatusCode)
	}
	areas, err := env.App.Geo.Current(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The shelter counted in its area, the one thing about it a map may
	// show.
	m := geo.Render(env.App.Catalog.For("en"), geo.Spec{ID: "m", Title: "Shelters", Areas: areas,
		Values: &geo.Values{Label: "Places", ByArea: map[string]float64{"2": 4}},
		Counts: &geo.Counts{Label: "Shelters", ByArea: map[string]int{"2": 1}}})
	outputs := map[string]string{"svg": string(m.SVG), "table": fmt.Sprintf("%+v %+v", m.Rows, m.Classes),
		"list page": apptest.Body(t, env.Do(coordinator, http.MethodGet, "/areas", "", nil))}
	for name, out := range outputs {
		for _, secret := range []string{shelter.Name, shelter.Address, "Quiet Mews"} {
			if strings.Contains(out, secret) {
				t.Errorf("the %s shows %q", name, secret)
			}
		}
	}
	if !strings.Contains(string(m.SVG), "Harbour — Shelters: 1") {
		t.Error("the count of shelters in their area is not on the map")
	}
}

// TestDemoMapsShowNoShelter seeds the demo, whose directory has the Safe
// Harbour Shelter, and looks for its name and address on the areas page
// and on a map of every area with the directory's providers counted.
func TestDemoMapsShowNoShelter(t *testing.T) {
	env := apptest.Start(t, storage.SQLite)
	a := env.App
	ctx := context.Background()
	if _, err := demo.Seed(ctx, demoDeps(a), t.TempDir()); err != nil {
		t.Fatalf("seed demo: %v", err)
	}
	var coordinator access.Actor
	err := a.DB.Read(ctx, func(tx *storage.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT id, org_id FROM users WHERE username = 'coordinator'`).Scan(&coordinator.UserID, &coordinator.OrgID)
	})
	if err != nil {
		t.Fatal(err)
	}
	coordinator.Role = access.Coordinator
	providers, err := a.Assistance.Providers(ctx, coordinator, assistance.ProviderFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var secrets []string
	counts := map[string]int{}
	for i, p := range providers {
		if p.Shelter() {
			secrets = append(secrets, p.Name, p.Address)
		}
		counts[fmt.Sprint(i%6+1)]++
	}
	if len(secrets) == 0 {
		t.Fatal("the demo has no shelter to look for")
	}
	areas, err := a.Geo.Current(ctx)
	if err != nil || len(areas) != 6 {
		t.Fatalf("demo areas: %d, %v; want Riverton's six districts", len(areas), err)
	}
	m := geo.Render(a.Catalog.For("de"), geo.Spec{Title: "Anbieter", Areas: areas, Counts: &geo.Counts{Label: "Anbieter", ByArea: counts}})
	page := apptest.Body(t, env.Do(apptest.User{Cookie: env.Session(t, coordinator.UserID, true)}, http.MethodGet, "/areas", "", nil))
	if !strings.Contains(page, "Station Quarter") {
		t.Fatal("the areas page does not show the demo's districts")
	}
	for name, out := range map[string]string{"svg": string(m.SVG), "table": fmt.Sprintf("%+v", m.Rows), "areas page": page} {
		for _, secret := range secrets {
			if strings.Contains(out, secret) {
				t.Errorf("the %s shows %q", name, secret)
			}
		}
	}
}

// TestMapPartial renders the "geo_map" partial other pages show a map
// with: the SVG as it is, the legend, the table alternative with both
// columns, and the note on counts outside the current areas.
func TestMapPartial(t *testing.T) {
	env := apptest.Start(t, storage.SQLite)
	coordinator := env.User("coord", access.Coordinator, env.Org("City Office", accounts.Municipality))
	ctype, form := uploadForm(t, districts([]string{"1:Old Town", "2:Harbour & Docks"}))
	if res := env.Do(coordinator, http.MethodPost, "/areas/upload", ctype, form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("upload: %d", res.StatusCode)
	}
	areas, _ := env.App.Geo.Current(context.Background())
	m := geo.Render(env.App.Catalog.For("en"), geo.Spec{ID: "report", Title: "Locations by area", Areas: areas,
		Values: &geo.Values{Label: "Answers", ByArea: map[string]float64{"1": 3}},
		Counts: &geo.Counts{Label: "Locations", ByArea: map[string]int{"1": 2, "gone": 1}}})
	tmpl, err := template.New("").ParseFS(areasui.Pages(), "_geomap.html")
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := tmpl.ExecuteTemplate(&b, "geo_map", m); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{`<svg xmlns="http://www.w3.org/2000/svg"`, `id="report-table"`, "<strong>Legend</strong>: Answers",
		`<li><svg class="swatch"`, "no data</li>", `<th scope="row" data-label="Area">Harbour &amp; Docks</th>`,
		`<td data-label="Locations">2</td>`, "Locations: 1 is in an area that no longer exists"} {
		if !strings.Contains(out, want) {
			t.Errorf("the partial lacks %q:\n%s", want, out)
		}
	}
}

// demoDeps gives the demo every service of the app it has a field for, by
// the field's name, as serve does: the demo grows with each capability, and
// this test should seed all of it, whichever capabilities it knows.
func demoDeps(a *app.App) demo.Deps {
	d := demo.Deps{Legal: a.SeedDemoLegal}
	dv, av := reflect.ValueOf(&d).Elem(), reflect.ValueOf(a).Elem()
	for i := range dv.NumField() {
		if f := av.FieldByName(dv.Type().Field(i).Name); f.IsValid() && f.Type().AssignableTo(dv.Field(i).Type()) {
			dv.Field(i).Set(f)
		}
	}
	return d
}

// TestBasemapRoute serves the operator's PMTiles file by range to
// signed-in users and to no one else.
func TestBasemapRoute(t *testing.T) {
	cfg := apptest.Config(t, storage.SQLite)
	cfg.Basemap = pmtiles(t)
	env := apptest.StartWith(t, cfg)
	city := env.Org("City Office", accounts.Municipality)
	analyst := env.User("analyst", access.Analyst, city)

	res, body := env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: geo.BasemapPath, Cookie: analyst.Cookie,
		Header: map[string]string{"Range": "bytes=0-126"}})
	if res.StatusCode != http.StatusPartialContent || res.Header.Get("Content-Range") != "bytes 0-126/2048" || !strings.HasPrefix(body, "PMTiles\x03") {
		t.Errorf("range request: %d %q; want 206 with bytes 0-126/2048, the header", res.StatusCode, res.Header.Get("Content-Range"))
	}
	res, _ = env.Exchange(t, apptest.Request{Method: http.MethodGet, Path: geo.BasemapPath, Header: map[string]string{"Range": "bytes=0-126"}})
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
		t.Errorf("signed out: %d %s; want the sign-in", res.StatusCode, res.Header.Get("Location"))
	}
	coordinator := env.User("coord", access.Coordinator, city)
	if page := apptest.Body(t, env.Do(coordinator, http.MethodGet, "/areas", "", nil)); !strings.Contains(page, `id="basemap-info"`) ||
		!strings.Contains(page, "zoom 10 to 14") {
		t.Error("the coordinator's list does not describe the basemap")
	}

	without := apptest.Start(t, storage.SQLite)
	a := without.User("analyst", access.Analyst, without.Org("City Office", accounts.Municipality))
	if res := without.Do(a, http.MethodGet, geo.BasemapPath, "", nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("without a basemap: %d; want 404", res.StatusCode)
	}
}

// pmtiles writes a 2 KiB archive with a valid version 3 header.
func pmtiles(t *testing.T) string {
	t.Helper()
	b := make([]byte, 2048)
	copy(b, "PMTiles\x03")
	for at, v := range map[int]uint64{8: 127, 16: 64, 24: 191, 40: 191, 56: 191, 64: 2048 - 191} {
		binary.LittleEndian.PutUint64(b[at:], v)
	}
	b[99], b[100], b[101] = 1, 10, 14
	for at, d := range map[int]float64{102: 0.1, 106: 0.2, 110: 0.17, 114: 0.26} {
		binary.LittleEndian.PutUint32(b[at:], uint32(int32(d*1e7)))
	}
	path := filepath.Join(t.TempDir(), "city.pmtiles")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
