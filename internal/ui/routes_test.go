package ui_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/app"
	"waymark.city/waymark/internal/app/apptest"
	"waymark.city/waymark/internal/audit"
	"waymark.city/waymark/internal/intake"
	"waymark.city/waymark/internal/storage"
	"waymark.city/waymark/internal/storage/storagetest"
	"waymark.city/waymark/internal/ui"
)

// outcome is the class of answer a request must get.
type outcome string

const (
	allowed   outcome = "allowed"   // 2xx or 3xx, not sent to sign in
	toLogin   outcome = "to login"  // 303 to /login
	forbidden outcome = "forbidden" // 403
	notFound  outcome = "not found" // 404: out of scope looks like missing
)

// pageCase is how to call one route of the page table.
type pageCase struct {
	// form builds a minimal valid form for a POST route.
	form func(t *testing.T, f *fixture, u *apptest.User) url.Values
	// signsOut marks the route whose success is a redirect to /login.
	signsOut bool
	// id gives the route's {id} when it names a record other than a user
	// (a screening of organisation A); nil means the target user.
	id func(t *testing.T, f *fixture) string
	// params fills the route's other path parameters, such as {location}.
	params map[string]string
	// file names the form field sent as an uploaded file: the form then
	// goes as multipart/form-data.
	file string
}

// pageCases has an entry for every route of ui.Routes; a route without one
// fails TestPageRouteAccess, so a new route cannot go untested.
var pageCases = map[string]pageCase{
	"GET /{$}":          {},
	"GET /municipality": {},
	// The city's areas (ui/areas).
	"GET /areas":        {},
	"GET /areas/upload": {},
	"POST /areas/upload": {file: "file", form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{"file": {`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"Old Town"},` +
			`"geometry":{"type":"Polygon","coordinates":[[[0.1,0.2],[0.11,0.2],[0.11,0.21],[0.1,0.2]]]}}]}`}}
	}},
	// The action plan (ui/plan).
	"GET /plan":                         {},
	"GET /plan/report":                  {},
	"GET /plan/report.pdf":              {},
	"GET /plan/findings/new":            {},
	"POST /plan/findings/new":           {form: planFindingForm},
	"GET /plan/findings/{id}":           {id: planFinding},
	"GET /plan/findings/{id}/edit":      {id: planFinding},
	"POST /plan/findings/{id}/edit":     {id: planFinding, form: planFindingForm},
	"POST /plan/findings/{id}/recheck":  {id: planFinding, form: planRecheckForm},
	"GET /plan/measures/new":            {},
	"POST /plan/measures/new":           {form: planMeasureForm},
	"GET /plan/measures/{id}":           {id: planMeasure},
	"POST /plan/measures/{id}":          {id: planMeasure, form: planMeasureForm},
	"POST /plan/measures/{id}/progress": {id: planMeasure, form: planProgressForm},

	"GET /login": {},
	"POST /login": {form: func(_ *testing.T, f *fixture, _ *apptest.User) url.Values {
		return url.Values{"username": {f.login.Username}, "password": {apptest.Password}, "next": {"/"}}
	}},
	"GET /login/code":   {},
	"POST /login/code":  {form: func(*testing.T, *fixture, *apptest.User) url.Values { return url.Values{"code": {"123456"}} }},
	"GET /login/enrol":  {},
	"POST /login/enrol": {form: func(*testing.T, *fixture, *apptest.User) url.Values { return url.Values{"code": {"123456"}} }},
	"POST /logout":      {form: func(*testing.T, *fixture, *apptest.User) url.Values { return url.Values{} }, signsOut: true},
	"POST /language": {form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{"lang": {"en"}, "back": {"/users"}}
	}},
	"GET /stepup": {},
	"POST /stepup": {form: func(t *testing.T, f *fixture, u *apptest.User) url.Values {
		v := url.Values{"password": {apptest.Password}, "next": {"/"}}
		if u != nil {
			v.Set("code", f.recoveryCode(t, u.ID))
		}
		return v
	}},
	"GET /organisations": {},
	"POST /organisations": {form: func(_ *testing.T, f *fixture, _ *apptest.User) url.Values {
		return url.Values{"name": {f.unique("Partner")}, "kind": {"ngo"}}
	}},
	"POST /organisations/{org}/disable": {form: func(*testing.T, *fixture, *apptest.User) url.Values { return url.Values{} }},
	"POST /organisations/{org}/enable":  {form: func(*testing.T, *fixture, *apptest.User) url.Values { return url.Values{} }},
	"GET /organisations/{org}/reach":    {},
	"POST /organisations/{org}/reach":   {form: func(*testing.T, *fixture, *apptest.User) url.Values { return url.Values{"phone": {"+00 555 0100"}} }},
	"GET /users":                        {},
	"GET /users/new":                    {},
	"POST /users": {form: func(_ *testing.T, f *fixture, _ *apptest.User) url.Values {
		return url.Values{"org": {f.orgA}, "username": {f.unique("new")}, "role": {"analyst"},
			"language": {"en"}, "name": {"New Colleague"}, "email": {"new@example.org"}}
	}},
	"POST /users/{id}/activation": {id: pendingUser, form: func(*testing.T, *fixture, *apptest.User) url.Values { return url.Values{} }},
	// A fresh link each time: anyone holding it may use it.
	"GET /activate/{token}": {id: activationLink},
	"POST /activate/{token}": {id: activationLink, form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{"password": {apptest.Password}, "confirm": {apptest.Password}}
	}},
	"GET /users/{id}":          {},
	"GET /users/{id}/contact":  {},
	"POST /users/{id}/disable": {form: func(*testing.T, *fixture, *apptest.User) url.Values { return url.Values{} }},
	"POST /users/{id}/enable":  {form: func(*testing.T, *fixture, *apptest.User) url.Values { return url.Values{} }},
	"POST /users/{id}/role": {form: func(t *testing.T, f *fixture, _ *apptest.User) url.Values {
		// Ask for a role the target does not have, so a refusal that
		// slipped through would show in the fingerprint.
		role := access.Analyst
		if currentRole(t, f, f.target.ID) == access.Analyst {
			role = access.Screener
		}
		return url.Values{"role": {string(role)}}
	}},
	"GET /audit":                {},
	"POST /login/passkey/begin": {form: func(*testing.T, *fixture, *apptest.User) url.Values { return url.Values{} }},
	"POST /login/passkey/finish": {form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{"credential": {"{}"}}
	}},
	"GET /account": {},
	"POST /account/password": {form: func(*testing.T, *fixture, *apptest.User) url.Values {
		// The same password again, so later requests can still use it.
		return url.Values{"current_password": {apptest.Password}, "new_password": {apptest.Password}, "confirm_password": {apptest.Password}}
	}},
	"POST /account/sessions/end-others": {form: func(*testing.T, *fixture, *apptest.User) url.Values { return url.Values{} }},
	"POST /account/recovery-codes":      {form: func(*testing.T, *fixture, *apptest.User) url.Values { return url.Values{} }},
	"POST /account/passkeys/begin":      {form: func(*testing.T, *fixture, *apptest.User) url.Values { return url.Values{} }},
	"POST /account/passkeys/finish": {form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{"name": {"Blue key"}, "credential": {"{}"}}
	}},
	"POST /account/passkeys/{key}/remove": {form: func(*testing.T, *fixture, *apptest.User) url.Values { return url.Values{} }},
	"GET /screenings":                     {},
	"GET /screenings/new":                 {},
	"POST /screenings": {form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{"setting": {"outreach"}, "age.years": {"30"}}
	}},
	"GET /screenings/{id}":           {id: targetScreening},
	"GET /screenings/{id}/questions": {id: targetScreening},
	"POST /screenings/{id}/questions": {id: targetScreening, form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{"page": {"1"}, "answers.core.danger": {"no"}, "go": {"next"}}
	}},
	"GET /screenings/{id}/print": {id: targetScreening},
	"GET /screenings/{id}/refer": {id: targetScreening},
	"POST /screenings/{id}/refer": {id: referableScreening, form: func(_ *testing.T, f *fixture, _ *apptest.User) url.Values {
		return url.Values{"purposes": {"labour"}, "to": {f.orgA}, "consent": {"1"}, "note": {"Speaks Romanian."}}
	}},
	"GET /referrals":              {},
	"GET /referrals/{id}":         {id: targetReferral},
	"GET /referrals/{id}/notes":   {id: targetReferral},
	"POST /referrals/{id}/accept": {id: targetReferral, form: func(*testing.T, *fixture, *apptest.User) url.Values { return url.Values{} }},
	"POST /referrals/{id}/decline": {id: targetReferral, form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{"reason": {"no_capacity"}}
	}},
	"POST /referrals/{id}/decisions/grounds": {id: targetReferral, form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return decisionForm("positive")
	}},
	"POST /referrals/{id}/decisions/status": {id: groundedReferral, form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return decisionForm("confirmed")
	}},
	"POST /referrals/{id}/forward": {id: forwardableReferral, form: func(_ *testing.T, f *fixture, _ *apptest.User) url.Values {
		return url.Values{"authority": {f.orgB}}
	}},
	"GET /protocol": {},
	"POST /protocol": {form: func(_ *testing.T, f *fixture, _ *apptest.User) url.Values {
		return url.Values{"route.labour.adult": {f.orgA}, "authorities": {f.orgA}}
	}},
	"GET /guide":                        {},
	"GET /guide/rights":                 {},
	"GET /guide/contacts":               {},
	"GET /guide/{location}":             {params: map[string]string{"location": "construction_site"}},
	"GET /reports":                      {},
	"GET /reports/{id}":                 {id: targetReport},
	"GET /reports/{id}/attachments/{n}": {id: targetReport, params: map[string]string{"n": "1"}},
	"POST /reports/{id}/assign": {id: targetReport, form: func(_ *testing.T, f *fixture, _ *apptest.User) url.Values {
		return url.Values{"user": {f.staff[access.CaseWorker].ID}}
	}},
	"POST /reports/{id}/classify": {id: targetReport, form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{"exploitation": {"begging", "criminality"}, "place_type": {"street"}}
	}},
	"POST /reports/{id}/link": {id: targetReport, form: func(t *testing.T, f *fixture, _ *apptest.User) url.Values {
		return url.Values{"kind": {"duplicate"}, "duplicate": {intake.ShortID(targetReport(t, f))}}
	}},
	"POST /reports/{id}/ask": {id: targetReport, form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{"message": {"Which crossing is it?"}}
	}},
	"POST /reports/{id}/dismiss": {id: targetReport, form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{"reason": {"test"}, "note": {"Training."}}
	}},
	"POST /reports/{id}/screening": {id: targetReport, form: func(*testing.T, *fixture, *apptest.User) url.Values { return url.Values{} }},
	"POST /reports/{id}/case": {id: targetReport, form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{"legal_basis": {"child_protection"}}
	}},
	"POST /reports/{id}/handover": {id: targetReport, form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{"handover_note": {"Reporter may answer tonight."}}
	}},
	"GET /calls": {},
	"POST /calls": {form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{"caller_type": {"witness"}, "language": {"en"}, "topic": {"suspicion"}, "info": {"rights"}, "notes": {"Taxi driver."}}
	}},
	"GET /calls/{id}": {id: targetCall},
	"POST /calls/{id}/report": {id: targetCall, form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{"details": {"A girl of 14 has not come home."}, "place_type": {"transport_hub"}}
	}},
	"POST /calls/{id}/handover": {id: targetCall, form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{"handover_note": {"Police informed at 14:10."}}
	}},
	"POST /calls/{id}/close": {id: targetCall, form: func(*testing.T, *fixture, *apptest.User) url.Values { return url.Values{} }},
	// Cases: the case itself, lifecycle, consent, identity, team, notes, sharing.
	"GET /cases":     {},
	"GET /cases/new": {},
	"POST /cases": {form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{"gender": {"unknown"}, "age_band": {"unknown"}, "contact_method": {"through_worker"}, "exploitation": {"labour"}}
	}},
	"GET /cases/{id}": {id: targetCase},
	"POST /cases/{id}/stage": {id: freshCase, form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{"stage": {"screening"}}
	}},
	"POST /cases/{id}/reopen": {id: closedCase, form: func(*testing.T, *fixture, *apptest.User) url.Values { return url.Values{} }},
	"POST /cases/{id}/worker": {id: freshCase, form: func(_ *testing.T, f *fixture, _ *apptest.User) url.Values {
		return url.Values{"worker": {f.staff[access.CaseWorker].ID}}
	}},
	"POST /cases/{id}/team": {id: freshCase, form: func(_ *testing.T, f *fixture, _ *apptest.User) url.Values {
		return url.Values{"user": {f.staff[access.Coordinator].ID}}
	}},
	"POST /cases/{id}/team/remove": {id: freshCase, form: func(_ *testing.T, f *fixture, _ *apptest.User) url.Values {
		return url.Values{"user": {f.staff[access.Coordinator].ID}}
	}},
	"GET /cases/{id}/person": {id: targetCase},
	"POST /cases/{id}/person": {id: targetCase, form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{"gender": {"unknown"}, "age_band": {"unknown"}, "contact_method": {"through_worker"}}
	}},
	"GET /cases/{id}/consent": {id: targetCase},
	"POST /cases/{id}/consent": {id: freshCase, form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return consentForm()
	}},
	"POST /cases/{id}/informed": {id: freshCase, form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{"topic": {"rights"}, "informed_on": {dayToday()}, "informed_language": {"ro"}, "informed_by": {"Case worker"}}
	}},
	"POST /cases/{id}/consent/withdraw": {id: consentedCase, form: func(_ *testing.T, f *fixture, _ *apptest.User) url.Values {
		return url.Values{"consent": {f.lastConsent}, "withdrawn_on": {today()}}
	}},
	"GET /cases/{id}/timeline": {id: targetCase},
	"GET /cases/{id}/notes":    {id: targetCase},
	"POST /cases/{id}/notes": {id: targetCase, form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{"note": {"Called back; safe for now."}}
	}},
	"GET /cases/{id}/files/{n}": {id: caseWithFile, params: map[string]string{"n": "1"}},
	"GET /cases/{id}/sharing":   {id: targetCase},
	"POST /cases/{id}/sharing": {id: sharableCase, form: func(_ *testing.T, f *fixture, _ *apptest.User) url.Values {
		return url.Values{"to": {f.orgB}, "kind": {"share"}, "categories": {"assistance"}}
	}},
	"POST /cases/{id}/sharing/end": {id: sharedCase, form: func(_ *testing.T, f *fixture, _ *apptest.User) url.Values {
		return url.Values{"share": {f.lastShare}}
	}},
	"GET /shares":              {},
	"POST /shares/{id}/accept": {id: incomingShare, form: func(*testing.T, *fixture, *apptest.User) url.Values { return url.Values{} }},
	"POST /shares/{id}/decline": {id: incomingShare, form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{"reason": {"no_capacity"}}
	}},
	"GET /deadlines": {},
	// Cases: risk.
	"GET /cases/{id}/risk": {id: targetCase},
	"POST /cases/{id}/risk": {id: freshCase, form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{"level": {"high"}, "factors": {"threatened", "address_known"}, "summary": {"Threat by phone."}}
	}},
	"POST /cases/{id}/risk/incidents": {id: freshCase, form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{"kind": {"threat_received"}, "occurred_on": {dayToday()}, "note": {"Call at night."}}
	}},
	"POST /cases/{id}/risk/vulnerability": {id: coordinatorTeamCase, form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{"vulnerabilities": {"homelessness", "other"}, "vulnerability_note": {"Lost the flat."}}
	}},
	// Cases: children.
	"GET /cases/{id}/child": {id: childCase},
	"POST /cases/{id}/child/guardian": {id: childCase, form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{"kind": {"appointed_guardian"}, "name": {"Maria Guardian"}, "appointed_on": {dayToday()}}
	}},
	"POST /cases/{id}/child/assessments": {id: childCase, form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{"held_on": {dayToday()}, "participants": {"child", "guardian"}, "child_heard": {"1"},
			"decision": {"family_based_care"}, "outcome": {"Foster family near school."}, "review_on": {dayToday()}}
	}},
	"POST /cases/{id}/child/transition": {id: childCase, form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{"options": {"supported_housing"}, "status": {"drafted"}}
	}},
	"POST /cases/{id}/child/missing": {id: childCase, form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{"since": {localTime(time.Now().Add(-time.Hour))}, "hotline_at": {localTime(time.Now())}, "hotline_by": {"Worker"}}
	}},
	"POST /cases/{id}/child/missing/{missing}": {id: missingChildCase, form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{"police_at": {localTime(time.Now())}, "police_to": {"Missing persons unit"}}
	}},
	// Cases: return, and the notes on countries of origin.
	"GET /cases/{id}/return":  {id: longTermCase},
	"POST /cases/{id}/return": {id: longTermCase, form: func(*testing.T, *fixture, *apptest.User) url.Values { return returnForm() }},
	"POST /cases/{id}/return/reception": {id: plannedReturnCase, form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{"received_at": {localTime(time.Now())}, "received_by": {"Open Door"}}
	}},
	"POST /cases/{id}/return/followups": {id: plannedReturnCase, form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{"due_on": {dayToday()}}
	}},
	"POST /cases/{id}/return/followups/{followup}": {id: followUpCase, form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{"done_on": {dayToday()}, "outcome": {"settled"}}
	}},
	"GET /countries":        {},
	"GET /countries/{code}": {params: map[string]string{"code": "RO"}},
	"POST /countries/{code}": {params: map[string]string{"code": "MD"}, form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{"risks": {"Retaliation by the network."}, "sources": {"Partner report"}}
	}},
	// Cases: assistance plan, service providers, shelters.
	"GET /cases/{id}/plan": {id: targetCase},
	"POST /cases/{id}/plan/needs": {id: freshCase, form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{"need": {"safety"}, "priority.safety": {"high"}, "needs_note": {"Fears the employer."}}
	}},
	"POST /cases/{id}/plan/activities": {id: freshCase, form: func(_ *testing.T, f *fixture, _ *apptest.User) url.Values {
		return url.Values{"type": {"safe_housing"}, "responsible_org": {f.orgA}, "status": {"planned"}}
	}},
	"POST /cases/{id}/plan/activities/{activity}": {id: planActivityCase, form: func(_ *testing.T, f *fixture, _ *apptest.User) url.Values {
		return url.Values{"type": {"safe_housing"}, "responsible_org": {f.orgA}, "status": {"in_progress"}}
	}},
	"POST /cases/{id}/plan/referrals": {id: referableCase, form: func(t *testing.T, f *fixture, _ *apptest.User) url.Values {
		return url.Values{"provider": {walkProvider(t, f)}, "services": {"shelter"}, "placement": {"1"}}
	}},
	"POST /cases/{id}/plan/referrals/{ref}/answer": {id: pendingReferralCase, form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{"answer": {"accept"}}
	}},
	"POST /cases/{id}/plan/referrals/{ref}/end": {id: pendingReferralCase, form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{"end_reason": {"no_longer_needed"}}
	}},
	"POST /cases/{id}/plan/referrals/{ref}/feedback": {id: endedReferralCase, form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{"delivered": {"full"}, "timeliness": {"on_time"}, "satisfaction": {"not_asked"}}
	}},
	"POST /cases/{id}/plan/goals": {id: freshCase, form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{"goals": {"Work as a cook."}}
	}},
	"POST /cases/{id}/plan/agreement": {id: freshCase, form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{"agreement": {"agreed"}, "agreed_on": {dayToday()}, "agreement_language": {"ro"}, "agreement_interpreter": {"1"}}
	}},
	"GET /service-referrals": {},
	"GET /providers":         {},
	"GET /providers/new":     {},
	"POST /providers": {form: func(_ *testing.T, f *fixture, _ *apptest.User) url.Values {
		return url.Values{"name": {f.unique("Legal aid")}, "types": {"legal_aid"}, "languages": {"en, ro"}, "active": {"1"}}
	}},
	"GET /providers/{provider}": {id: walkProviderPath},
	"POST /providers/{provider}/standards": {id: walkProviderPath, form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{"standard_name": {"Shelter standard"}, "standard_issuer": {"Ministry"}}
	}},
	"POST /providers/{provider}/standards/{standard}/remove": {id: walkStandard, form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{}
	}},
	"GET /interpreters":     {},
	"GET /interpreters/new": {},
	"POST /interpreters": {form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{"name": {"Ion Rusu"}, "contact": {"+40 700"}, "languages": {"ro"}, "kind": {"mediator"}, "active": {"1"}}
	}},
	"GET /interpreters/{interpreter}": {id: walkInterpreter},
	"POST /interpreters/{interpreter}": {id: walkInterpreter, form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{"name": {"Ion Rusu"}, "languages": {"ro", "uk"}, "kind": {"both"}, "active": {"1"}}
	}},
	"GET /interpreters/{interpreter}/contact": {id: walkInterpreter},
	"GET /cases/{id}/interpreters":            {id: targetCase},
	"POST /cases/{id}/interpreters":           {id: freshCase, form: bookingForm},
	"POST /cases/{id}/interpreters/{booking}/cancel": {id: bookedCase, form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{}
	}},
	"POST /providers/{provider}": {id: walkProviderPath, form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{"name": {walkProviderName}, "types": {"shelter"}, "languages": {"ro"}, "active": {"1"},
			"places_total": {"1000"}, "places_external": {"0"}, "place_gender": {"any"}, "place_age": {"any"}}
	}},
	// Cases: legal status.
	"GET /cases/{id}/legal": {id: legalFullCase},
	"POST /cases/{id}/legal/reflection": {id: legalReflectingCase, form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{"reflection_end": {legalDay(120)}, "reflection_reason": {"safety"}}
	}},
	"POST /cases/{id}/legal/permits": {id: freshCase, form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{"permit_type": {"humanitarian"}, "permit_status": {"applied"}}
	}},
	"POST /cases/{id}/legal/permits/{permit}": {id: legalPermitCase, params: map[string]string{"permit": "1"},
		form: func(*testing.T, *fixture, *apptest.User) url.Values {
			return url.Values{"do": {"update"}, "permit_status": {"renewal_applied"}, "permit_start": {legalDay(0)}, "permit_expiry": {legalDay(180)}}
		}},
	"POST /cases/{id}/legal/asylum": {id: freshCase, form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{"asylum_status": {"applied"}, "asylum_applied_on": {legalDay(0)}}
	}},
	"POST /cases/{id}/legal/proceedings": {id: freshCase, form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{"proceeding_role": {"witness"}, "proceeding_stage": {"investigation"}, "proceeding_cooperation": {"undecided"}}
	}},
	"POST /cases/{id}/legal/compensation": {id: freshCase, form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{"compensation_type": {"civil"}, "compensation_status": {"planned"}}
	}},
	"POST /cases/{id}/legal/penalties": {id: freshCase, form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{"penalty_kind": {"administrative_fine"}, "penalty_linked": {"yes"}}
	}},
	"POST /cases/{id}/legal/nonpunishment": {id: legalPenaltyCase, form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{"submission_penalty": {"1"}, "submission_on": {legalDay(0)}, "submission_by": {"lawyer"}, "submission_outcome": {"pending"}}
	}},
	"POST /cases/{id}/legal/measures": {id: freshCase, form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{"measure_kind": {"video_testimony"}, "measure_requested_on": {legalDay(0)}, "measure_requested_by": {"lawyer"},
			"measure_status": {"pending"}}
	}},
	// Cases: crisis unit.
	"GET /cases/{id}/conferences": {id: targetCase},
	"POST /cases/{id}/conferences": {id: freshCase, form: func(_ *testing.T, f *fixture, _ *apptest.User) url.Values {
		return url.Values{"at": {"2030-05-04T10:00"}, "orgs": {f.orgA}, "agenda": {"evaluation"}}
	}},
	"GET /cases/{id}/conferences/{conf}": {id: conferenceCase, params: map[string]string{"conf": "1"}},
	"POST /cases/{id}/conferences/{conf}": {id: conferenceCase, params: map[string]string{"conf": "1"},
		form: func(*testing.T, *fixture, *apptest.User) url.Values { return url.Values{"minutes": {"Met again."}} }},
	"POST /cases/{id}/tasks/{task}": {id: conferenceCase, params: map[string]string{"task": "1"},
		form: func(*testing.T, *fixture, *apptest.User) url.Values { return url.Values{"status": {"done"}} }},
	"GET /tasks":         {},
	"GET /collaboration": {},
	"POST /collaboration": {form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{"step.1.stage": {"crisis_intervention"}, "step.1.kind": {"police"}, "step.1.template": {"risk_assessment"}, "step.1.days": {"2"}}
	}},
	"GET /calendar":  {},
	"POST /calendar": {form: func(*testing.T, *fixture, *apptest.User) url.Values { return url.Values{} }},
	// A valid feed token, so every caller of this public route gets the feed.
	"GET /calendar/{id}": {id: calendarFeed},
	// Cases: data protection.
	"GET /cases/{id}/data": {id: exportCase},
	"POST /cases/{id}/data/erasure": {id: freshCase, form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{"received_on": {dayToday()}, "channel": {"letter"}}
	}},
	"POST /cases/{id}/data/erasure/{req}": {id: erasureCase, params: map[string]string{"req": "1"}, form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{"decision": {"refuse"}, "reason": {"legal_claims"}, "informed": {"1"}, "decided_on": {dayToday()}}
	}},
	"POST /cases/{id}/data/holds": {id: freshCase, form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{"hold_reason": {"criminal_proceedings_ongoing"}, "until": {nextYear()}}
	}},
	"POST /cases/{id}/data/holds/{hold}/lift": {id: heldCase, params: map[string]string{"hold": "1"},
		form: func(*testing.T, *fixture, *apptest.User) url.Values { return url.Values{} }},
	"GET /cases/{id}/data/export":       {id: exportCase},
	"POST /cases/{id}/data/export.json": {id: exportCase, form: func(*testing.T, *fixture, *apptest.User) url.Values { return url.Values{} }},
	"POST /cases/{id}/data/htcds.json": {id: exportCase, form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{"variant": {"full"}}
	}},
	"GET /cases/import": {},
	"POST /cases/import": {form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{"document": {htcdsDocument}}
	}},
	// The local adaptation of the field guide: each change acts on a sign of its own.
	"GET /guide/local":            {},
	"GET /guide/local/{kind}/new": {params: map[string]string{"kind": "signs"}},
	"POST /guide/local/{kind}": {params: map[string]string{"kind": "signs"}, form: func(_ *testing.T, f *fixture, _ *apptest.User) url.Values {
		return url.Values{"label_en": {f.unique("Pays a room fee")}, "question": {walkQuestion(f)}, "citation": {"Minutes §4"}, "reason": {"Seen twice."}}
	}},
	"GET /guide/local/{kind}/{item}": {id: walkLocalSign},
	"POST /guide/local/{kind}/{item}": {id: walkLocalSign, form: func(_ *testing.T, f *fixture, _ *apptest.User) url.Values {
		return url.Values{"label_en": {f.unique("Pays a bed fee")}, "question": {walkQuestion(f)}, "citation": {"Minutes §5"}, "reason": {"Clearer."}}
	}},
	"POST /guide/local/{kind}/{item}/retire": {id: walkLocalSign, form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{"retire_citation": {"Minutes §6"}, "retire_reason": {"No longer seen."}}
	}},

	// Agreements and contact persons (ui/partners).
	"GET /agreements":       {},
	"GET /agreements/new":   {},
	"POST /agreements/new":  {form: agreementForm},
	"GET /agreements/{id}":  {id: walkAgreement},
	"POST /agreements/{id}": {id: walkAgreement, form: agreementForm},
	"POST /agreements/{id}/document": {id: walkAgreement, file: "document", form: func(*testing.T, *fixture, *apptest.User) url.Values {
		return url.Values{"document": {agreementPDF}}
	}},
	"GET /agreements/{id}/document": {id: walkAgreement},
	"GET /partners/contacts":        {},
	"GET /partners/contacts/new":    {},
	"POST /partners/contacts/new":   {form: contactForm},
	"GET /partners/contacts/{id}":   {id: walkContact},
	"POST /partners/contacts/{id}":  {id: walkContact, form: contactForm},
}

func currentRole(t *testing.T, f *fixture, userID string) access.Role {
	t.Helper()
	ctx := context.Background()
	var role access.Role
	err := f.env.App.DB.Read(ctx, func(tx *storage.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT role FROM users WHERE id = $1`, userID).Scan(&role)
	})
	if err != nil {
		t.Fatalf("load role: %v", err)
	}
	return role
}

// pageRoutes is the route table; Routes only returns method values, so a
// handler without dependencies is enough to read it.
func pageRoutes() []ui.Route { return app.PageRoutes() }

// caller is who sends the requests of a walk.
type caller struct {
	name string
	user *apptest.User // nil when signed out
}

// refusal is a request that was refused for a signed-in user, with the
// "denied" audit entries of that user written while it ran.
type refusal struct {
	route  string
	action access.Action
	actor  apptest.User
	// outOfScope is a record of another organisation, refused as not found.
	outOfScope bool
	subject    string
	denied     []audit.Entry
}

// expectPage derives the answer a caller must get on a route from the gate
// and the permission matrix.
func expectPage(rt ui.Route, f *fixture, c caller) outcome {
	if c.user == nil {
		// Signed out, the root is the public help page.
		if rt.Gate == ui.Public || rt.Gate == ui.Home {
			return allowed
		}
		return toLogin
	}
	if rt.Gate != ui.SignedIn && rt.Gate != ui.Home {
		return allowed
	}
	switch reach := access.ReachOf(c.user.Role, rt.Action); {
	case reach == access.None:
		return forbidden
	case reach == access.OwnOrg && strings.Contains(rt.Pattern, "{id}") && c.user.OrgID != f.orgA:
		return notFound
	case reach == access.OwnRecords && strings.Contains(rt.Pattern, "{id}"):
		// The walk's records are made by other staff.
		return notFound
	case strings.Contains(rt.Pattern, " /screenings/{id}") && access.ReachOf(c.user.Role, access.EvaluateScreening) == access.OwnRecords:
		// Referring a screening reads it first, under screening.evaluate.
		return notFound
	}
	return allowed
}

func routePath(pattern, id, org string) (method, path string) {
	method, path, _ = strings.Cut(pattern, " ")
	path = strings.ReplaceAll(path, "{$}", "")
	path = strings.ReplaceAll(path, "{id}", id)
	path = strings.ReplaceAll(path, "{org}", org)
	return method, path
}

// checkOutcome reports whether res is of the expected class.
func checkOutcome(res *http.Response, want outcome, signsOut bool) bool {
	switch want {
	case toLogin:
		return res.StatusCode == http.StatusSeeOther && redirectPath(res) == "/login"
	case forbidden:
		return res.StatusCode == http.StatusForbidden
	case notFound:
		return res.StatusCode == http.StatusNotFound
	}
	if res.StatusCode < 200 || res.StatusCode >= 400 {
		return false
	}
	// Being sent to sign in is a refusal, except for signing out.
	return signsOut || redirectPath(res) != "/login"
}

func TestPageRouteAccess(t *testing.T) {
	routes := pageRoutes()
	inTable := map[string]bool{}
	for _, rt := range routes {
		inTable[rt.Pattern] = true
		if _, ok := pageCases[rt.Pattern]; !ok {
			t.Errorf("route %q has no case in pageCases: add one", rt.Pattern)
		}
		if (rt.Gate == ui.SignedIn || rt.Gate == ui.Home) && rt.Action == "" {
			t.Errorf("route %q is SignedIn or Home but names no action", rt.Pattern)
		}
	}
	for p := range pageCases {
		if !inTable[p] {
			t.Errorf("pageCases has %q, which is not in the route table", p)
		}
	}
	if t.Failed() {
		return
	}
	for _, engine := range storagetest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			f := newFixture(t, engine)
			refusals := walkPages(t, f, routes)
			t.Run("refusals are audited as denied", func(t *testing.T) {
				checkRefusalsAudited(t, refusals)
			})
		})
	}
}

// walkPages sends every route as every caller and checks each answer.
func walkPages(t *testing.T, f *fixture, routes []ui.Route) []refusal {
	callers := []caller{{name: "signed out"}}
	for _, role := range access.Roles {
		u := f.staff[role]
		callers = append(callers, caller{name: string(role), user: &u})
	}
	callers = append(callers, caller{name: "case worker of B", user: &f.outsider})

	var refusals []refusal
	for _, c := range callers {
		for _, rt := range routes {
			pc := pageCases[rt.Pattern]
			id := f.target.ID
			if pc.id != nil {
				id = pc.id(t, f)
			}
			method, path := routePath(rt.Pattern, id, f.orgC)
			for _, params := range []map[string]string{pc.params, f.params} {
				for k, v := range params {
					path = strings.ReplaceAll(path, "{"+k+"}", v)
				}
			}
			req := apptest.Request{Method: method, Path: path}
			if c.user != nil {
				// A new session each time: signing out or in must not
				// spoil the next request.
				req.Cookie = f.env.Session(t, c.user.ID, true)
			}
			if pc.form != nil {
				req.Form = pc.form(t, f, c.user)
			}
			if pc.file != "" {
				req.Body, req.CType = multipartBody(t, req.Form, pc.file)
				req.Form = nil
			}
			want := expectPage(rt, f, c)
			before := ""
			if method == http.MethodPost && want != allowed {
				before = f.env.Fingerprint(t)
			}
			refused := c.user != nil && (want == forbidden || want == notFound)
			var seq int64
			if refused {
				seq = lastDenied(t, f.env, c.user.ID)
			}
			res, body := f.env.Exchange(t, req)
			if !checkOutcome(res, want, pc.signsOut) {
				t.Errorf("%s as %s: status %d (Location %q), want %s", rt.Pattern, c.name, res.StatusCode, res.Header.Get("Location"), want)
			}
			if before != "" {
				if after := f.env.Fingerprint(t); after != before {
					t.Errorf("%s as %s was refused but changed the database:\n before %s\n after  %s", rt.Pattern, c.name, before, after)
				}
			}
			if c.user != nil && c.user.OrgID != f.orgA && strings.Contains(body, f.target.Username) {
				t.Errorf("%s as %s shows a username of organisation A", rt.Pattern, c.name)
			}
			if refused {
				refusals = append(refusals, refusal{route: rt.Pattern, action: rt.Action, actor: *c.user,
					outOfScope: want == notFound, subject: id, denied: deniedSince(t, f.env, c.user.ID, seq)})
			}
		}
	}
	return refusals
}

// deniedSince returns the "denied" audit entries of a user after seq.
func deniedSince(t *testing.T, env *apptest.Env, userID string, seq int64) []audit.Entry {
	t.Helper()
	entries, _, err := env.App.Audit.List(context.Background(), env.App.DB, access.SystemScope(),
		audit.Filter{ActorUserID: userID, Outcome: audit.Denied, Limit: audit.MaxLimit})
	if err != nil {
		t.Fatalf("list audit: %v", err)
	}
	var out []audit.Entry
	for _, e := range entries {
		if e.Seq > seq {
			out = append(out, e)
		}
	}
	return out
}

// lastDenied is the sequence number of the user's latest "denied" entry, or -1.
func lastDenied(t *testing.T, env *apptest.Env, userID string) int64 {
	t.Helper()
	if e := deniedSince(t, env, userID, -1); len(e) > 0 {
		return e[0].Seq // newest first
	}
	return -1
}

// checkRefusalsAudited checks that each refusal wrote a "denied" entry: a
// refusal at the gate names the route's action; a record out of scope
// names the record.
func checkRefusalsAudited(t *testing.T, refusals []refusal) {
	if len(refusals) == 0 {
		t.Fatal("the walk refused nothing; the test is broken")
	}
	for _, r := range refusals {
		found := false
		for _, e := range r.denied {
			if (!r.outOfScope && e.Action == string(r.action)) || (r.outOfScope && e.SubjectID == r.subject) {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("refusal of %s (%s) for %s is not in the audit log as denied", r.route, r.action, r.actor.Username)
		}
	}
}
