-- Campaigns, second part (issue 13 item 4).
--
-- A harm log entry may name a person (who reacted, who was put at risk),
-- so its description is sealed with the vault from now on, under the
-- entry's own record ("campaign_harms/<id>", field "description"). The
-- entries written before are sealed by the campaign service when Waymark
-- starts (campaigns.Service.SealHarmDescriptions: the vault's keys are not
-- in the database) and their clear text column is emptied.
ALTER TABLE campaign_harms ADD COLUMN description_sealed BYTEA;

-- A hotline caller's answer to "how did you hear about us" that matches
-- no material's code is kept as the operator typed it, sealed under the
-- call's record (field "attribution_typed"): it is the caller's answer,
-- never refused, but it counts in no campaign's funnel.
ALTER TABLE calls ADD COLUMN attribution_typed BYTEA;

-- Campaign surveys: one row per response to the shipped campaign survey
-- (internal/campaigns/survey/campaign_survey.md), entered by staff or an
-- outreach worker. Answers are the questionnaire's choice names as JSON;
-- nothing about the respondent. Whether a response is from before or
-- after the launch follows from answered_on and the campaign's launch.
CREATE TABLE campaign_survey_responses (
    id           TEXT PRIMARY KEY,
    campaign_id  TEXT NOT NULL REFERENCES campaigns (id),
    answered_on  TEXT NOT NULL,
    form_id      TEXT NOT NULL,
    form_version TEXT NOT NULL,
    answers      TEXT NOT NULL,
    created_by   TEXT NOT NULL REFERENCES users (id),
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX campaign_survey_responses_campaign ON campaign_survey_responses (campaign_id, answered_on);
