-- The local working group (issue 12 item 6): a standing, multi-disciplinary
-- group of the partnership's organisations and named people, like the one
-- Vienna's human rights office runs (Danube round-table summary), its
-- meetings with agenda, minutes, decisions and action items, and the
-- library of good practices the group keeps (round-table synopsis on
-- coordination structures). A named member's name is sealed under
-- "workgroup/members/<id>"; minutes are sealed under
-- "workgroup/meetings/<id>". Dates are YYYY-MM-DD in the installation's
-- local time.

-- A member: an organisation of the partnership (name NULL) or a named
-- person of one. An organisation takes part in the meetings held while one
-- of its member rows was current (joined_on <= held_on, left_on '' or later).
CREATE TABLE workgroup_members (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES organisations (id),
    name       BLOB,
    function   TEXT NOT NULL DEFAULT '',
    joined_on  TEXT NOT NULL,
    left_on    TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_by TEXT NOT NULL REFERENCES users (id),
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX workgroup_members_org ON workgroup_members (org_id, joined_on);

-- A meeting: held_on is the local date of starts_at, which membership is
-- compared with. Agenda and decisions are the group's institutional text,
-- kept in the clear; minutes may name people and are sealed.
CREATE TABLE workgroup_meetings (
    id         TEXT PRIMARY KEY,
    starts_at  TIMESTAMP NOT NULL,
    held_on    TEXT NOT NULL,
    place      TEXT NOT NULL,
    -- JSON array of agenda items.
    agenda     TEXT NOT NULL DEFAULT '[]',
    minutes    BLOB,
    decisions  TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_by TEXT NOT NULL REFERENCES users (id),
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX workgroup_meetings_start ON workgroup_meetings (starts_at);

-- The members present at a meeting.
CREATE TABLE workgroup_attendance (
    meeting_id TEXT NOT NULL REFERENCES workgroup_meetings (id),
    member_id  TEXT NOT NULL REFERENCES workgroup_members (id),
    PRIMARY KEY (meeting_id, member_id)
);

-- An action item a meeting agreed: what, which organisation owns it, by
-- when. measure_id names the action plan's measure it became, without a
-- foreign key: the plan is another capability's table.
CREATE TABLE workgroup_actions (
    id           TEXT PRIMARY KEY,
    meeting_id   TEXT NOT NULL REFERENCES workgroup_meetings (id),
    what         TEXT NOT NULL,
    owner_org_id TEXT NOT NULL REFERENCES organisations (id),
    due_on       TEXT NOT NULL,
    -- 'open', 'done' or 'dropped'.
    status       TEXT NOT NULL,
    measure_id   TEXT NOT NULL DEFAULT '',
    created_by   TEXT NOT NULL REFERENCES users (id),
    created_at   TIMESTAMP NOT NULL,
    updated_by   TEXT NOT NULL REFERENCES users (id),
    updated_at   TIMESTAMP NOT NULL
);
CREATE INDEX workgroup_actions_meeting ON workgroup_actions (meeting_id);
CREATE INDEX workgroup_actions_status ON workgroup_actions (status, due_on);

-- A good practice from elsewhere: what was done, where, with what result,
-- the source it is cited from, and whether it would transfer here and why.
CREATE TABLE workgroup_practices (
    id           TEXT PRIMARY KEY,
    title        TEXT NOT NULL,
    what         TEXT NOT NULL,
    city         TEXT NOT NULL DEFAULT '',
    -- ISO 3166-1 alpha-2, or ''.
    country      TEXT NOT NULL DEFAULT '',
    result       TEXT NOT NULL DEFAULT '',
    source       TEXT NOT NULL,
    -- 'yes', 'partly', 'no' or 'unknown'.
    transfer     TEXT NOT NULL,
    transfer_why TEXT NOT NULL DEFAULT '',
    -- JSON array of lower-case tags.
    tags         TEXT NOT NULL DEFAULT '[]',
    created_by   TEXT NOT NULL REFERENCES users (id),
    created_at   TIMESTAMP NOT NULL,
    updated_by   TEXT NOT NULL REFERENCES users (id),
    updated_at   TIMESTAMP NOT NULL
);
