// Package campaigns keeps the partnership's awareness campaigns and
// measures their effect: the audience named by the mapping's own choice
// lists (populations at risk, sectors, the fifteen location types),
// languages the public report form is offered in, channels, a call to
// action, behavioural targets declared before launch, materials each with
// a short attribution code and a QR code Waymark draws, reach as counted,
// the funnel from contacts by code to referrals, and a harm log the
// coordinator reviews.
//
// The Danube guidelines (§3.4, /work/shared/seeds/003) ask for awareness
// raising aimed at the groups and places the mapping found; campaign
// evaluators describe reporting campaigns as a funnel that is rarely
// measured. Everything here is counts and codes: no page shows anything
// about a person. A report or call carries only the code the person
// named; the funnel follows reports to the screenings made from them
// (reports.screening_id, kept by intake) and to the referrals of those
// screenings (referrals.screening_id, kept by identification), read-only.
package campaigns

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/apperr"
	"waymark.city/waymark/internal/cases"
	"waymark.city/waymark/internal/i18n"
	"waymark.city/waymark/internal/storage"
)

// Status values of a campaign.
const (
	Draft   = "draft"
	Running = "running"
	Ended   = "ended"
)

// Channels a campaign and its materials use.
var channels = []string{"poster", "leaflet", "social_media", "radio", "outreach", "other"}

// Channels lists the channels in display order.
func Channels() []string { return slices.Clone(channels) }

// Limits.
const (
	maxName  = 200
	maxText  = 1000
	maxTitle = 200
)

// phone is a hotline number as people write it: digits, spaces and the
// usual punctuation, with at least three digits.
var phone = regexp.MustCompile(`^\+?[0-9][0-9 ()/.-]{1,28}[0-9]$`)

// Campaign is a campaign with its targets and materials.
type Campaign struct {
	ID            string
	Name          string
	Populations   []string
	Sectors       []string
	LocationTypes []string
	Languages     []string
	Channels      []string
	StartsOn      string
	EndsOn        string
	CTA           CTA
	Status        string
	// Scheduled is true for a running campaign whose period has not
	// started yet: launched, but not yet "running" to its readers.
	Scheduled  bool
	LaunchedAt *time.Time
	// Targets and Materials are filled by Campaign only.
	Targets   []Target
	Materials []Material
}

// Phase is the status to show: "scheduled" for a campaign that is
// Scheduled, else its Status.
func (c Campaign) Phase() string {
	if c.Scheduled {
		return "scheduled"
	}
	return c.Status
}

// CTA is a campaign's call to action: what the material asks people to
// do, the public report form, the hotline number, or both.
type CTA struct {
	Text   string
	Report bool
	Phone  string
}

// Set reports whether the call to action says what to do and how.
func (c CTA) Set() bool { return c.Text != "" && (c.Report || c.Phone != "") }

// Input creates or changes a campaign.
type Input struct {
	Name          string
	Populations   []string
	Sectors       []string
	LocationTypes []string
	Languages     []string
	Channels      []string
	StartsOn      string
	EndsOn        string
	CTAText       string
	CTAReport     bool
	CTAPhone      string
}

// Service is campaigns, their materials, funnels and harm logs.
type Service struct {
	cases *cases.Service
	// languages are the public report form's languages: a campaign's
	// materials lead there.
	languages []i18n.Language
	// publicURL is where people reach Waymark; QR codes point there.
	publicURL string
	audience  Audience
}

// New returns the campaign service. languages are the public report
// form's languages; publicURL is Waymark's public address (config
// PublicURL), which QR codes lead to.
func New(c *cases.Service, languages []i18n.Language, publicURL string) *Service {
	return &Service{cases: c, languages: slices.Clone(languages), publicURL: strings.TrimRight(publicURL, "/"), audience: loadAudience()}
}

// Languages lists the languages a campaign can use.
func (s *Service) Languages() []i18n.Language { return slices.Clone(s.languages) }

func (s *Service) languageTags() []string {
	out := make([]string, len(s.languages))
	for i, l := range s.languages {
		out[i] = l.Tag
	}
	return out
}

// Audience is the mapping's choice lists a campaign's audience is named by.
func (s *Service) Audience() Audience { return s.audience }

type fields = apperr.Fields

func tooLong(s string, n int) bool { return utf8.RuneCountInString(s) > n }

func jsonList(v []string) string {
	if v == nil {
		v = []string{}
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// chosen trims and de-duplicates codes and reports whether all are in
// allowed.
func chosen(in []string, allowed []string) ([]string, bool) {
	out := []string{}
	for _, v := range in {
		if v = strings.TrimSpace(v); v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out, !slices.ContainsFunc(out, func(v string) bool { return !slices.Contains(allowed, v) })
}

func validDate(s string) bool {
	t, err := time.Parse(time.DateOnly, s)
	return err == nil && t.Year() >= 2000 && t.Year() <= 2100
}

func (s *Service) check(in *Input) error {
	var fe fields
	in.Name, in.CTAText, in.CTAPhone = strings.TrimSpace(in.Name), strings.TrimSpace(in.CTAText), strings.TrimSpace(in.CTAPhone)
	in.StartsOn, in.EndsOn = strings.TrimSpace(in.StartsOn), strings.TrimSpace(in.EndsOn)
	if in.Name == "" || tooLong(in.Name, maxName) {
		fe.Add("name", "campaigns.error.name")
	}
	var ok bool
	if in.Populations, ok = chosen(in.Populations, s.audience.names(s.audience.Populations)); !ok {
		fe.Add("populations", "campaigns.error.choice")
	}
	if in.Sectors, ok = chosen(in.Sectors, s.audience.names(s.audience.Sectors)); !ok {
		fe.Add("sectors", "campaigns.error.choice")
	}
	if in.LocationTypes, ok = chosen(in.LocationTypes, s.audience.names(s.audience.LocationTypes)); !ok {
		fe.Add("location_types", "campaigns.error.choice")
	}
	if len(in.Populations)+len(in.Sectors)+len(in.LocationTypes) == 0 {
		fe.Add("audience", "campaigns.error.audience")
	}
	if in.Languages, ok = chosen(in.Languages, s.languageTags()); !ok || len(in.Languages) == 0 {
		fe.Add("languages", "campaigns.error.languages")
	}
	if in.Channels, ok = chosen(in.Channels, channels); !ok || len(in.Channels) == 0 {
		fe.Add("channels", "campaigns.error.channels")
	}
	if !validDate(in.StartsOn) {
		fe.Add("starts_on", "campaigns.error.date")
	}
	if !validDate(in.EndsOn) {
		fe.Add("ends_on", "campaigns.error.date")
	} else if validDate(in.StartsOn) && in.EndsOn < in.StartsOn {
		fe.Add("ends_on", "campaigns.error.ends_before")
	}
	if tooLong(in.CTAText, maxText) {
		fe.Add("cta_text", "campaigns.error.too_long")
	}
	if in.CTAPhone != "" && !phone.MatchString(in.CTAPhone) {
		fe.Add("cta_phone", "campaigns.error.phone")
	}
	return fe.Err()
}

// Create records a draft campaign.
func (s *Service) Create(ctx context.Context, actor access.Actor, in Input) (Campaign, error) {
	if _, err := s.cases.Authorize(ctx, actor, access.ManageCampaigns, "campaign", ""); err != nil {
		return Campaign{}, err
	}
	if err := s.check(&in); err != nil {
		return Campaign{}, err
	}
	var out Campaign
	err := s.cases.DB().Write(ctx, func(tx *storage.Tx) error {
		id, now := cases.NewID(), s.cases.Now()
		if _, err := tx.ExecContext(ctx, `INSERT INTO campaigns (id, name, populations, sectors, location_types, languages, channels,
				starts_on, ends_on, cta_text, cta_report, cta_phone, status, created_by, created_at, updated_by, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $14, $15)`,
			id, in.Name, jsonList(in.Populations), jsonList(in.Sectors), jsonList(in.LocationTypes), jsonList(in.Languages),
			jsonList(in.Channels), in.StartsOn, in.EndsOn, in.CTAText, storage.Flag(in.CTAReport), in.CTAPhone, Draft, actor.UserID, now); err != nil {
			return fmt.Errorf("insert campaign: %w", err)
		}
		if err := s.cases.Audit(ctx, tx, actor, "campaigns.create", "campaign", id, "", in.Name); err != nil {
			return err
		}
		var err error
		out, err = s.campaign(ctx, tx, id)
		return err
	})
	return out, err
}

// Update changes a campaign that has not ended. Targets stay as declared.
func (s *Service) Update(ctx context.Context, actor access.Actor, id string, in Input) (Campaign, error) {
	if _, err := s.cases.Authorize(ctx, actor, access.ManageCampaigns, "campaign", id); err != nil {
		return Campaign{}, err
	}
	if err := s.check(&in); err != nil {
		return Campaign{}, err
	}
	var out Campaign
	err := s.cases.DB().Write(ctx, func(tx *storage.Tx) error {
		c, err := s.campaign(ctx, tx, id)
		if err != nil {
			return err
		}
		if c.Status == Ended {
			return apperr.New(apperr.Conflict, "campaigns.error.ended")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE campaigns SET name = $2, populations = $3, sectors = $4, location_types = $5,
				languages = $6, channels = $7, starts_on = $8, ends_on = $9, cta_text = $10, cta_report = $11, cta_phone = $12,
				updated_by = $13, updated_at = $14 WHERE id = $1`,
			id, in.Name, jsonList(in.Populations), jsonList(in.Sectors), jsonList(in.LocationTypes), jsonList(in.Languages),
			jsonList(in.Channels), in.StartsOn, in.EndsOn, in.CTAText, storage.Flag(in.CTAReport), in.CTAPhone, actor.UserID, s.cases.Now()); err != nil {
			return fmt.Errorf("update campaign %s: %w", id, err)
		}
		if err := s.cases.Audit(ctx, tx, actor, "campaigns.update", "campaign", id, "", in.Name); err != nil {
			return err
		}
		out, err = s.campaign(ctx, tx, id)
		return err
	})
	return out, err
}

// Launch starts a draft campaign. A campaign without a declared target or
// without a call to action is refused: its effect could not be judged, or
// people would not know what to do.
func (s *Service) Launch(ctx context.Context, actor access.Actor, id string) error {
	return s.move(ctx, actor, id, "campaigns.launch", func(c Campaign) error {
		if c.Status != Draft {
			return apperr.New(apperr.Conflict, "campaigns.error.not_draft")
		}
		var fe fields
		if len(c.Targets) == 0 {
			fe.Add("targets", "campaigns.error.launch_target")
		}
		if !c.CTA.Set() {
			fe.Add("cta", "campaigns.error.launch_cta")
		}
		return fe.Err()
	}, `UPDATE campaigns SET status = 'running', launched_by = $2, launched_at = $3, updated_by = $2, updated_at = $3 WHERE id = $1`)
}

// End ends a running campaign; its funnel keeps counting codes named later.
func (s *Service) End(ctx context.Context, actor access.Actor, id string) error {
	return s.move(ctx, actor, id, "campaigns.end", func(c Campaign) error {
		if c.Status != Running {
			return apperr.New(apperr.Conflict, "campaigns.error.not_running")
		}
		return nil
	}, `UPDATE campaigns SET status = 'ended', updated_by = $2, updated_at = $3 WHERE id = $1`)
}

func (s *Service) move(ctx context.Context, actor access.Actor, id, action string, allowed func(Campaign) error, update string) error {
	if _, err := s.cases.Authorize(ctx, actor, access.ManageCampaigns, "campaign", id); err != nil {
		return err
	}
	return s.cases.DB().Write(ctx, func(tx *storage.Tx) error {
		c, err := s.campaign(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := allowed(c); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, update, id, actor.UserID, s.cases.Now()); err != nil {
			return fmt.Errorf("%s %s: %w", action, id, err)
		}
		return s.cases.Audit(ctx, tx, actor, action, "campaign", id, "", "")
	})
}

// List lists the campaigns, running first, then drafts, then ended ones,
// newest start first.
func (s *Service) List(ctx context.Context, actor access.Actor) ([]Campaign, error) {
	if _, err := s.cases.Authorize(ctx, actor, access.ViewCampaigns, "campaign", ""); err != nil {
		return nil, err
	}
	var out []Campaign
	err := s.cases.DB().Read(ctx, func(tx *storage.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+campaignColumns+` FROM campaigns
			ORDER BY CASE status WHEN 'running' THEN 0 WHEN 'draft' THEN 1 ELSE 2 END, starts_on DESC, id LIMIT 500`)
		if err != nil {
			return fmt.Errorf("list campaigns: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			c, err := scanCampaign(rows)
			if err != nil {
				return fmt.Errorf("list campaigns: %w", err)
			}
			c.Scheduled = c.Status == Running && s.Today() < c.StartsOn
			out = append(out, c)
		}
		return rows.Err()
	})
	return out, err
}

// Campaign returns a campaign with its targets and materials.
func (s *Service) Campaign(ctx context.Context, actor access.Actor, id string) (Campaign, error) {
	if _, err := s.cases.Authorize(ctx, actor, access.ViewCampaigns, "campaign", id); err != nil {
		return Campaign{}, err
	}
	var out Campaign
	err := s.cases.DB().Read(ctx, func(tx *storage.Tx) error {
		var err error
		out, err = s.campaign(ctx, tx, id)
		return err
	})
	return out, err
}

const campaignColumns = `id, name, populations, sectors, location_types, languages, channels, starts_on, ends_on,
	cta_text, cta_report, cta_phone, status, launched_at`

func scanCampaign(r interface{ Scan(...any) error }) (Campaign, error) {
	var c Campaign
	var pop, sec, loc, lang, ch string
	var report int
	if err := r.Scan(&c.ID, &c.Name, &pop, &sec, &loc, &lang, &ch, &c.StartsOn, &c.EndsOn, &c.CTA.Text, &report, &c.CTA.Phone,
		&c.Status, &c.LaunchedAt); err != nil {
		return Campaign{}, err
	}
	c.CTA.Report = report != 0
	for _, l := range []struct {
		raw string
		to  *[]string
	}{{pop, &c.Populations}, {sec, &c.Sectors}, {loc, &c.LocationTypes}, {lang, &c.Languages}, {ch, &c.Channels}} {
		if err := json.Unmarshal([]byte(l.raw), l.to); err != nil {
			return Campaign{}, fmt.Errorf("decode campaign %s: %w", c.ID, err)
		}
	}
	return c, nil
}

// campaign loads a campaign with its targets and materials.
func (s *Service) campaign(ctx context.Context, tx *storage.Tx, id string) (Campaign, error) {
	c, err := scanCampaign(tx.QueryRowContext(ctx, `SELECT `+campaignColumns+` FROM campaigns WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Campaign{}, apperr.New(apperr.NotFound, "campaigns.error.not_found")
	}
	if err != nil {
		return Campaign{}, fmt.Errorf("load campaign %s: %w", id, err)
	}
	c.Scheduled = c.Status == Running && s.Today() < c.StartsOn
	if c.Targets, err = targets(ctx, tx, id); err != nil {
		return Campaign{}, err
	}
	if c.Materials, err = materials(ctx, tx, id); err != nil {
		return Campaign{}, err
	}
	return c, nil
}
