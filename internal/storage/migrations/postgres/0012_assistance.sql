-- Assistance: the person's needs and the assistance plan, the directory of
-- service providers with their shelter places, and referrals to providers.
-- Free text about the person is sealed under the case's vault record
-- ("cases/<id>"), so erasing a case forgets it with one key. Nothing here
-- records cooperation with the authorities: assistance never depends on it.

-- The needs assessment of a case: which key issues apply and how urgent.
CREATE TABLE case_needs (
    case_id    TEXT NOT NULL REFERENCES cases (id),
    -- assistance.Needs codes; 'high', 'medium' or 'low'.
    need       TEXT NOT NULL,
    priority   TEXT NOT NULL,
    PRIMARY KEY (case_id, need)
);

-- One row per case holding what belongs to the plan as a whole: the
-- encrypted note of the needs assessment and who assessed last.
CREATE TABLE assistance_plans (
    case_id     TEXT PRIMARY KEY REFERENCES cases (id),
    needs_note  BYTEA,
    assessed_by TEXT NOT NULL REFERENCES users (id),
    assessed_at TIMESTAMPTZ NOT NULL
);

-- Activities of the plan, each of one step of the scheme of assistance,
-- with the organisation responsible for it.
CREATE TABLE plan_activities (
    id              TEXT PRIMARY KEY,
    case_id         TEXT NOT NULL REFERENCES cases (id),
    -- assistance.ActivityTypes code; its step is derived from it.
    type            TEXT NOT NULL,
    responsible_org TEXT NOT NULL REFERENCES organisations (id),
    -- 'planned', 'in_progress', 'done' or 'cancelled'.
    status          TEXT NOT NULL,
    -- YYYY-MM-DD or ''.
    planned_start   TEXT NOT NULL DEFAULT '',
    planned_end     TEXT NOT NULL DEFAULT '',
    done_on         TEXT NOT NULL DEFAULT '',
    note            BYTEA,
    created_by      TEXT NOT NULL REFERENCES users (id),
    created_at      TIMESTAMPTZ NOT NULL,
    updated_by      TEXT NOT NULL REFERENCES users (id),
    updated_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX plan_activities_case ON plan_activities (case_id, created_at);
CREATE INDEX plan_activities_org ON plan_activities (responsible_org, status);

-- The directory of service providers of the partnership. Contact details
-- are the provider's organisational ones (switchboard, office address),
-- never a person's, so they are kept in the clear for everyone to find.
CREATE TABLE service_providers (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    -- JSON arrays: assistance.ProviderTypes codes and ISO 639-1 languages.
    types         TEXT NOT NULL,
    languages     TEXT NOT NULL,
    capacity_note TEXT NOT NULL DEFAULT '',
    phone         TEXT NOT NULL DEFAULT '',
    email         TEXT NOT NULL DEFAULT '',
    address       TEXT NOT NULL DEFAULT '',
    -- The Waymark organisation that answers referrals itself, if any.
    org_id        TEXT REFERENCES organisations (id),
    active        INTEGER NOT NULL DEFAULT 1,
    -- Shelter places: the total, those taken by people placed outside
    -- Waymark, and the live count of taken places (external plus accepted
    -- placements), which placements change in their transaction so that
    -- two can never take the last place. Restrictions are codes.
    places_total    INTEGER NOT NULL DEFAULT 0,
    places_external INTEGER NOT NULL DEFAULT 0,
    places_occupied INTEGER NOT NULL DEFAULT 0,
    place_gender    TEXT NOT NULL DEFAULT 'any',
    place_age       TEXT NOT NULL DEFAULT 'any',
    created_by    TEXT NOT NULL REFERENCES users (id),
    created_at    TIMESTAMPTZ NOT NULL,
    updated_by    TEXT NOT NULL REFERENCES users (id),
    updated_at    TIMESTAMPTZ NOT NULL,
    CHECK (places_occupied >= 0 AND places_occupied <= places_total)
);
CREATE UNIQUE INDEX service_providers_name ON service_providers (lower(name));
CREATE INDEX service_providers_org ON service_providers (org_id);

-- Referrals of a case to a provider, which accepts or declines with a
-- reason. A shelter placement occupies a place while accepted.
CREATE TABLE service_referrals (
    id            TEXT PRIMARY KEY,
    case_id       TEXT NOT NULL REFERENCES cases (id),
    -- The organisation that owned the case and referred.
    org_id        TEXT NOT NULL REFERENCES organisations (id),
    provider_id   TEXT NOT NULL REFERENCES service_providers (id),
    -- The provider's Waymark organisation at the time of the referral
    -- (copied so the incoming list is one indexed query), or NULL.
    provider_org  TEXT REFERENCES organisations (id),
    activity_id   TEXT REFERENCES plan_activities (id),
    -- JSON array of assistance.ProviderTypes codes wanted.
    services      TEXT NOT NULL,
    placement     INTEGER NOT NULL DEFAULT 0,
    -- The consent the referral rests on (checked in code before insert).
    consent_id    TEXT NOT NULL REFERENCES case_consents (id),
    -- 'pending', 'accepted', 'declined', 'withdrawn' or 'ended'.
    status        TEXT NOT NULL,
    -- Decline or end reason code.
    reason        TEXT NOT NULL DEFAULT '',
    answer_due    TEXT NOT NULL,
    -- 1 while an accepted placement holds one of the provider's places.
    occupying     INTEGER NOT NULL DEFAULT 0,
    created_by    TEXT NOT NULL REFERENCES users (id),
    created_at    TIMESTAMPTZ NOT NULL,
    -- 'provider' (its own user answered) or 'phone' (the referring worker
    -- recorded the answer of a provider without Waymark).
    answered_via  TEXT NOT NULL DEFAULT '',
    answered_by   TEXT REFERENCES users (id),
    answered_at   TIMESTAMPTZ,
    ended_by      TEXT REFERENCES users (id),
    ended_at      TIMESTAMPTZ
);
CREATE INDEX service_referrals_case ON service_referrals (case_id, created_at);
CREATE INDEX service_referrals_provider_org ON service_referrals (provider_org, status, created_at);
CREATE INDEX service_referrals_provider ON service_referrals (provider_id, status);
