// Package ui serves Waymark's HTML pages for staff. routes.go is the one
// route table; each handler lives in a file named after its resource and
// action. Handlers are thin: parse the form, call one service method, render.
package ui

import (
	"net/http"

	"waymark.city/waymark/internal/access"
	"waymark.city/waymark/internal/ui/page"
	"waymark.city/waymark/internal/web"
)

// Gate is the kit's; ui's table uses the short names.
type Gate = page.Gate

// Route is the kit's route, as a type of ui's own so that the long table
// below may stay positional.
type Route page.Route

const (
	Public   = page.Public
	Partial  = page.Partial
	SignedIn = page.SignedIn
	Home     = page.Home
)

// Routes is the route table of the staff pages, the areas' tables after
// ui's own.
func (h *Handler) Routes() []Route {
	var areas []Route
	for _, a := range h.areas {
		for _, rt := range a.Routes() {
			areas = append(areas, Route(rt))
		}
	}
	return append(h.routes(), areas...)
}

func (h *Handler) routes() []Route {
	return []Route{
		{"GET /{$}", Home, access.ViewDashboard, h.showDashboard},
		{"GET /login", Public, "", h.showLogin},
		{"POST /login", Public, "", h.submitLogin},
		{"GET /login/code", Partial, "", h.showCode},
		{"POST /login/code", Partial, "", h.submitCode},
		{"GET /login/enrol", Partial, "", h.showEnrol},
		{"POST /login/enrol", Partial, "", h.submitEnrol},
		{"GET /activate/{token}", Public, "", h.showActivate},
		{"POST /activate/{token}", Public, "", h.submitActivate},
		{"POST /login/passkey/begin", Partial, "", h.beginPasskeySignIn},
		{"POST /login/passkey/finish", Partial, "", h.finishPasskeySignIn},
		{"POST /logout", Partial, "", h.submitLogout},
		{"POST /language", Public, "", h.submitLanguage},
		{"GET /stepup", SignedIn, access.ManageOwnAccount, h.showStepUp},
		{"POST /stepup", SignedIn, access.ManageOwnAccount, h.submitStepUp},
		{"GET /organisations", SignedIn, access.ViewOrganisations, h.listOrganisations},
		{"POST /organisations", SignedIn, access.ManageOrganisation, h.createOrganisation},
		{"POST /organisations/{org}/disable", SignedIn, access.ManageOrganisation, h.disableOrganisation},
		{"POST /organisations/{org}/enable", SignedIn, access.ManageOrganisation, h.enableOrganisation},
		{"GET /organisations/{org}/reach", SignedIn, access.ManageOrganisation, h.showOrganisationReach},
		{"POST /organisations/{org}/reach", SignedIn, access.ManageOrganisation, h.saveOrganisationReach},
		{"GET /users", SignedIn, access.ViewUsers, h.listUsers},
		{"GET /users/new", SignedIn, access.CreateUsers, h.showNewUser},
		{"POST /users", SignedIn, access.CreateUsers, h.createUser},
		{"GET /users/{id}", SignedIn, access.ViewUsers, h.showUser},
		{"GET /users/{id}/contact", SignedIn, access.RevealContact, h.revealUserContact},
		{"POST /users/{id}/disable", SignedIn, access.ManageUsers, h.disableUser},
		{"POST /users/{id}/enable", SignedIn, access.ManageUsers, h.enableUser},
		{"POST /users/{id}/role", SignedIn, access.ManageUsers, h.changeUserRole},
		{"POST /users/{id}/activation", SignedIn, access.CreateUsers, h.issueUserActivation},
		{"GET /audit", SignedIn, access.ViewAudit, h.listAudit},
		{"GET /account", SignedIn, access.ManageOwnAccount, h.showAccount},
		{"POST /account/password", SignedIn, access.ManageOwnAccount, h.changePassword},
		{"POST /account/sessions/end-others", SignedIn, access.ManageOwnAccount, h.endOtherSessions},
		{"POST /account/recovery-codes", SignedIn, access.ManageOwnAccount, h.regenerateRecoveryCodes},
		{"POST /account/passkeys/begin", SignedIn, access.ManageOwnAccount, h.beginPasskeyRegistration},
		{"POST /account/passkeys/finish", SignedIn, access.ManageOwnAccount, h.finishPasskeyRegistration},
		{"POST /account/passkeys/{key}/remove", SignedIn, access.ManageOwnAccount, h.removePasskey},
		{"GET /screenings", SignedIn, access.EvaluateScreening, h.listScreenings},
		{"GET /screenings/new", SignedIn, access.EvaluateScreening, h.showNewScreening},
		{"POST /screenings", SignedIn, access.EvaluateScreening, h.createScreening},
		{"GET /screenings/{id}", SignedIn, access.EvaluateScreening, h.showScreening},
		{"GET /screenings/{id}/questions", SignedIn, access.EvaluateScreening, h.showScreeningQuestions},
		{"POST /screenings/{id}/questions", SignedIn, access.EvaluateScreening, h.saveScreeningQuestions},
		{"GET /screenings/{id}/print", SignedIn, access.EvaluateScreening, h.printScreening},
		{"GET /screenings/{id}/refer", SignedIn, access.CreateReferral, h.showReferralForm},
		{"POST /screenings/{id}/refer", SignedIn, access.CreateReferral, h.createReferral},
		{"GET /referrals", SignedIn, access.ViewReferrals, h.listReferrals},
		{"GET /referrals/{id}", SignedIn, access.ViewReferrals, h.showReferral},
		{"GET /referrals/{id}/notes", SignedIn, access.ViewReferrals, h.showReferralNotes},
		{"POST /referrals/{id}/accept", SignedIn, access.RespondReferral, h.acceptReferral},
		{"POST /referrals/{id}/decline", SignedIn, access.RespondReferral, h.declineReferral},
		{"POST /referrals/{id}/forward", SignedIn, access.RespondReferral, h.forwardReferral},
		{"POST /referrals/{id}/decisions/grounds", SignedIn, access.DecideGrounds, h.decideGrounds},
		{"POST /referrals/{id}/decisions/status", SignedIn, access.DecideStatus, h.decideStatus},
		{"GET /protocol", SignedIn, access.ManageProtocol, h.showProtocol},
		{"POST /protocol", SignedIn, access.ManageProtocol, h.saveProtocol},
		{"GET /guide", SignedIn, access.EvaluateScreening, h.showGuide},
		{"GET /guide/rights", SignedIn, access.EvaluateScreening, h.showGuideRights},
		{"GET /guide/contacts", SignedIn, access.EvaluateScreening, h.showGuideContacts},
		// The local adaptation of the field guide; {kind} is places, signs or marks.
		{"GET /guide/local", SignedIn, access.ManageLocalGuide, h.showLocalGuide},
		{"GET /guide/local/{kind}/new", SignedIn, access.ManageLocalGuide, h.showNewLocalItem},
		{"POST /guide/local/{kind}", SignedIn, access.ManageLocalGuide, h.addLocalItem},
		{"GET /guide/local/{kind}/{item}", SignedIn, access.ManageLocalGuide, h.showLocalItem},
		{"POST /guide/local/{kind}/{item}", SignedIn, access.ManageLocalGuide, h.changeLocalItem},
		{"POST /guide/local/{kind}/{item}/retire", SignedIn, access.ManageLocalGuide, h.retireLocalItem},
		{"GET /guide/{location}", SignedIn, access.EvaluateScreening, h.showGuideLocation},
		{"GET /reports", SignedIn, access.ViewReports, h.listReports},
		{"GET /reports.csv", SignedIn, access.ViewReports, h.exportReportsCSV},
		{"GET /reports.xlsx", SignedIn, access.ViewReports, h.exportReportsXLSX},
		{"GET /reports/{id}", SignedIn, access.ViewReports, h.showReport},
		{"GET /reports/{id}/attachments/{n}", SignedIn, access.ViewReports, h.showReportAttachment},
		{"POST /reports/{id}/assign", SignedIn, access.TriageReports, h.assignReport},
		{"POST /reports/{id}/classify", SignedIn, access.TriageReports, h.classifyReport},
		{"POST /reports/{id}/link", SignedIn, access.TriageReports, h.linkReport},
		{"POST /reports/{id}/ask", SignedIn, access.TriageReports, h.askReporter},
		{"POST /reports/{id}/dismiss", SignedIn, access.TriageReports, h.dismissReport},
		{"POST /reports/{id}/screening", SignedIn, access.TriageReports, h.convertReport},
		{"POST /reports/{id}/case", SignedIn, access.TriageReports, h.reportToCase},
		{"POST /reports/{id}/handover", SignedIn, access.TriageReports, h.handOverReport},
		{"GET /calls", SignedIn, access.LogCalls, h.showConsole},
		{"POST /calls", SignedIn, access.LogCalls, h.logCall},
		{"GET /calls/{id}", SignedIn, access.LogCalls, h.showCall},
		{"POST /calls/{id}/report", SignedIn, access.LogCalls, h.reportCall},
		{"POST /calls/{id}/handover", SignedIn, access.LogCalls, h.handOverCall},
		{"POST /calls/{id}/close", SignedIn, access.LogCalls, h.closeCall},
		// Cases: the case itself, lifecycle, consent, identity, team, notes, sharing.
		{"GET /cases", SignedIn, access.ViewCases, h.listCases},
		{"GET /cases.csv", SignedIn, access.ViewCases, h.exportCasesCSV},
		{"GET /cases.xlsx", SignedIn, access.ViewCases, h.exportCasesXLSX},
		{"GET /cases/new", SignedIn, access.OpenCase, h.showNewCase},
		{"POST /cases", SignedIn, access.OpenCase, h.createCase},
		{"GET /cases/{id}", SignedIn, access.ViewCases, h.showCase},
		{"POST /cases/{id}/stage", SignedIn, access.ManageCases, h.moveCase},
		{"POST /cases/{id}/reopen", SignedIn, access.ManageCases, h.reopenCase},
		{"POST /cases/{id}/worker", SignedIn, access.ManageCases, h.setCaseWorker},
		{"POST /cases/{id}/area", SignedIn, access.ManageCases, h.setCaseArea},
		{"POST /cases/{id}/team", SignedIn, access.ManageCases, h.addCaseMember},
		{"POST /cases/{id}/team/remove", SignedIn, access.ManageCases, h.removeCaseMember},
		{"GET /cases/{id}/person", SignedIn, access.RevealIdentity, h.showCasePerson},
		{"POST /cases/{id}/person", SignedIn, access.RevealIdentity, h.updateCasePerson},
		{"GET /cases/{id}/consent", SignedIn, access.ViewCases, h.showConsent},
		{"POST /cases/{id}/consent", SignedIn, access.ManageCases, h.recordConsent},
		{"POST /cases/{id}/consent/withdraw", SignedIn, access.ManageCases, h.withdrawConsent},
		{"POST /cases/{id}/informed", SignedIn, access.ManageCases, h.recordInformed},
		{"GET /cases/{id}/timeline", SignedIn, access.ViewCases, h.showTimeline},
		{"GET /cases/{id}/notes", SignedIn, access.ViewCases, h.showNotes},
		{"POST /cases/{id}/notes", SignedIn, access.ManageCases, h.addNote},
		{"GET /cases/{id}/files/{n}", SignedIn, access.ViewCases, h.showNoteFile},
		{"GET /cases/{id}/sharing", SignedIn, access.ViewCases, h.showSharing},
		{"POST /cases/{id}/sharing", SignedIn, access.ShareCases, h.shareCase},
		{"POST /cases/{id}/sharing/end", SignedIn, access.ShareCases, h.endShare},
		{"GET /shares", SignedIn, access.ShareCases, h.listShares},
		{"POST /shares/{id}/accept", SignedIn, access.ShareCases, h.acceptShare},
		{"POST /shares/{id}/decline", SignedIn, access.ShareCases, h.declineShare},
		{"GET /deadlines", SignedIn, access.ViewCases, h.listDeadlines},
		{"GET /deadlines.csv", SignedIn, access.ViewCases, h.exportDeadlinesCSV},
		{"GET /deadlines.xlsx", SignedIn, access.ViewCases, h.exportDeadlinesXLSX},
		// Cases: risk.
		{"GET /cases/{id}/risk", SignedIn, access.ViewCases, h.showRisk},
		{"POST /cases/{id}/risk", SignedIn, access.ManageCases, h.assessRisk},
		{"POST /cases/{id}/risk/incidents", SignedIn, access.ManageCases, h.recordRiskIncident},
		{"POST /cases/{id}/risk/vulnerability", SignedIn, access.ManageCases, h.recordVulnerability},
		// Cases: children.
		{"GET /cases/{id}/child", SignedIn, access.ViewCases, h.showChild},
		{"POST /cases/{id}/child/guardian", SignedIn, access.ManageCases, h.saveGuardian},
		{"POST /cases/{id}/child/assessments", SignedIn, access.ManageCases, h.assessBestInterest},
		{"POST /cases/{id}/child/transition", SignedIn, access.ManageCases, h.planTransition},
		{"POST /cases/{id}/child/missing", SignedIn, access.ManageCases, h.reportMissing},
		{"POST /cases/{id}/child/missing/{missing}", SignedIn, access.ManageCases, h.recordMissingSteps},
		// Cases: safe voluntary return, and the notes on countries of origin.
		{"GET /cases/{id}/return", SignedIn, access.ViewCases, h.showReturn},
		{"POST /cases/{id}/return", SignedIn, access.ManageCases, h.saveReturn},
		{"POST /cases/{id}/return/reception", SignedIn, access.ManageCases, h.confirmReception},
		{"POST /cases/{id}/return/followups", SignedIn, access.ManageCases, h.planReturnFollowUp},
		{"POST /cases/{id}/return/followups/{followup}", SignedIn, access.ManageCases, h.recordReturnFollowUp},
		{"GET /countries", SignedIn, access.ViewCases, h.listCountryNotes},
		{"GET /countries/{code}", SignedIn, access.ViewCases, h.showCountryNote},
		{"POST /countries/{code}", SignedIn, access.ManageCountryNotes, h.saveCountryNote},
		// Cases: assistance plan, service providers, shelters.
		{"GET /cases/{id}/plan", SignedIn, access.ViewCases, h.showPlan},
		{"POST /cases/{id}/plan/needs", SignedIn, access.ManageCases, h.saveNeeds},
		{"POST /cases/{id}/plan/activities", SignedIn, access.ManageCases, h.createActivity},
		{"POST /cases/{id}/plan/activities/{activity}", SignedIn, access.ManageCases, h.updateActivity},
		{"POST /cases/{id}/plan/referrals", SignedIn, access.ManageCases, h.createServiceReferral},
		{"POST /cases/{id}/plan/referrals/{ref}/answer", SignedIn, access.ManageCases, h.answerServiceReferral},
		{"POST /cases/{id}/plan/referrals/{ref}/end", SignedIn, access.ManageCases, h.endServiceReferral},
		{"POST /cases/{id}/plan/referrals/{ref}/feedback", SignedIn, access.ManageCases, h.recordReferralFeedback},
		{"POST /cases/{id}/plan/goals", SignedIn, access.ManageCases, h.saveGoals},
		{"POST /cases/{id}/plan/agreement", SignedIn, access.ManageCases, h.recordAgreement},
		{"GET /service-referrals", SignedIn, access.ViewCases, h.listIncomingReferrals},
		{"GET /providers", SignedIn, access.ViewCases, h.listProviders},
		{"GET /providers/new", SignedIn, access.ManageProviders, h.showNewProvider},
		{"POST /providers", SignedIn, access.ManageProviders, h.createProvider},
		{"GET /providers/{provider}", SignedIn, access.ViewCases, h.showProvider},
		{"POST /providers/{provider}", SignedIn, access.ManageProviders, h.updateProvider},
		{"POST /providers/{provider}/standards", SignedIn, access.ManageProviders, h.addProviderStandard},
		{"POST /providers/{provider}/standards/{standard}/remove", SignedIn, access.ManageProviders, h.removeProviderStandard},
		// Interpreters and cultural mediators, and their bookings for a case.
		{"GET /interpreters", SignedIn, access.ViewInterpreters, h.listInterpreters},
		{"GET /interpreters/new", SignedIn, access.ManageInterpreters, h.showNewInterpreter},
		{"POST /interpreters", SignedIn, access.ManageInterpreters, h.createInterpreter},
		{"GET /interpreters/{interpreter}", SignedIn, access.ViewInterpreters, h.showInterpreter},
		{"POST /interpreters/{interpreter}", SignedIn, access.ManageInterpreters, h.updateInterpreter},
		{"GET /interpreters/{interpreter}/contact", SignedIn, access.ViewInterpreters, h.revealInterpreterContact},
		{"GET /cases/{id}/interpreters", SignedIn, access.ViewCases, h.showCaseInterpreters},
		{"POST /cases/{id}/interpreters", SignedIn, access.ManageCases, h.bookInterpreter},
		{"POST /cases/{id}/interpreters/{booking}/cancel", SignedIn, access.ManageCases, h.cancelInterpreterBooking},
		// Cases: legal status.
		{"GET /cases/{id}/legal", SignedIn, access.ViewCases, h.showLegal},
		{"POST /cases/{id}/legal/reflection", SignedIn, access.ManageCases, h.extendLegalReflection},
		{"POST /cases/{id}/legal/permits", SignedIn, access.ManageCases, h.createLegalPermit},
		{"POST /cases/{id}/legal/permits/{permit}", SignedIn, access.ManageCases, h.changeLegalPermit},
		{"POST /cases/{id}/legal/asylum", SignedIn, access.ManageCases, h.saveLegalAsylum},
		{"POST /cases/{id}/legal/proceedings", SignedIn, access.ManageCases, h.saveLegalProceeding},
		{"POST /cases/{id}/legal/compensation", SignedIn, access.ManageCases, h.saveLegalCompensation},
		{"POST /cases/{id}/legal/penalties", SignedIn, access.ManageCases, h.saveLegalPenalty},
		{"POST /cases/{id}/legal/nonpunishment", SignedIn, access.ManageCases, h.saveLegalSubmission},
		{"POST /cases/{id}/legal/measures", SignedIn, access.ManageCases, h.saveLegalMeasure},
		// Cases: crisis unit.
		{"GET /cases/{id}/conferences", SignedIn, access.ViewCases, h.showConferences},
		{"POST /cases/{id}/conferences", SignedIn, access.ManageCrisisUnit, h.createConference},
		{"GET /cases/{id}/conferences/{conf}", SignedIn, access.ViewCases, h.showConference},
		{"POST /cases/{id}/conferences/{conf}", SignedIn, access.ManageCrisisUnit, h.recordConference},
		{"POST /cases/{id}/tasks/{task}", SignedIn, access.ManageCrisisUnit, h.setTaskStatus},
		{"GET /tasks", SignedIn, access.ViewCases, h.listTasks},
		{"GET /tasks.csv", SignedIn, access.ViewCases, h.exportTasksCSV},
		{"GET /tasks.xlsx", SignedIn, access.ViewCases, h.exportTasksXLSX},
		{"GET /collaboration", SignedIn, access.ManageProtocol, h.showCollaboration},
		{"POST /collaboration", SignedIn, access.ManageProtocol, h.saveCollaboration},
		{"GET /calendar", SignedIn, access.ViewCases, h.showCalendar},
		{"POST /calendar", SignedIn, access.ViewCases, h.createCalendar},
		// Calendar apps cannot sign in: the random token in {id} ("<token>.ics") authenticates.
		{"GET /calendar/{id}", Public, "", h.showCalendarFeed},
		// Cases: data protection.
		{"GET /cases/{id}/data", SignedIn, access.ExportCase, h.showCaseData},
		{"POST /cases/{id}/data/erasure", SignedIn, access.ExportCase, h.requestErasure},
		{"POST /cases/{id}/data/erasure/{req}", SignedIn, access.ExportCase, h.decideErasure},
		{"POST /cases/{id}/data/holds", SignedIn, access.ExportCase, h.setHold},
		{"POST /cases/{id}/data/holds/{hold}/lift", SignedIn, access.ExportCase, h.liftHold},
		{"GET /cases/{id}/data/export", SignedIn, access.ExportCase, h.exportCaseData},
		{"POST /cases/{id}/data/export.json", SignedIn, access.ExportCase, h.exportCaseDataJSON},
		{"POST /cases/{id}/data/htcds.json", SignedIn, access.ExportCase, h.exportCaseHTCDS},
		{"GET /cases/import", SignedIn, access.OpenCase, h.showImport},
		{"POST /cases/import", SignedIn, access.OpenCase, h.importCase},
	}
}

// Mount registers every route on mux behind its gate.
func (h *Handler) Mount(mux *http.ServeMux) {
	for _, rt := range h.Routes() {
		mux.Handle(rt.Pattern, h.gate(rt))
	}
	// Named, so metrics and logs see the route rather than "unmatched".
	mux.Handle("GET /static/", web.Named(h.shell.Static()))
}
