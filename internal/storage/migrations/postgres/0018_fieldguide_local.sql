-- Local adaptation of the field guide: places and signs a coordinator adds
-- for the local situation, and marks on catalogue questions that matter
-- locally. The catalogue itself is data in the binary and is never changed
-- here. Every change is a new row of fieldguide_versions (append-only:
-- nothing is updated or deleted, retiring an item is a version too), cited
-- to who made it, for which organisation, when, on what source and why. The
-- current local set is the latest version of each item.

-- The version counter of the installation. A change takes the row's lock
-- first, so changes are numbered without gaps and never interleave.
CREATE TABLE fieldguide_head (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
INSERT INTO fieldguide_head (id, version) VALUES (1, 0);

CREATE TABLE fieldguide_versions (
    version           INTEGER PRIMARY KEY,
    -- 'place', 'sign' or 'mark'.
    kind              TEXT NOT NULL,
    -- A place or sign: its id (UUIDv7). A mark: the catalogue question id
    -- it marks, so a question is marked at most once.
    item_id           TEXT NOT NULL,
    -- 'add', 'change' or 'retire'.
    action            TEXT NOT NULL,
    user_id           TEXT NOT NULL REFERENCES users (id),
    org_id            TEXT NOT NULL REFERENCES organisations (id),
    created_at        TIMESTAMPTZ NOT NULL,
    -- The source the change rests on ("Working group meeting 2026-11-12,
    -- minutes §4") and why it was made; for a mark, the reason is why the
    -- question matters locally.
    citation          TEXT NOT NULL,
    reason            TEXT NOT NULL,
    -- The indicator catalogue version the change was checked against.
    catalogue_version TEXT NOT NULL
);
CREATE INDEX fieldguide_versions_item ON fieldguide_versions (kind, item_id, version);

-- A place as one version left it; a retired place has no row here.
-- Texts are '' where not given in a language; look_for holds one sign a line.
CREATE TABLE fieldguide_places (
    version     INTEGER PRIMARY KEY REFERENCES fieldguide_versions (version),
    name_en     TEXT NOT NULL,
    name_de     TEXT NOT NULL,
    where_en    TEXT NOT NULL,
    where_de    TEXT NOT NULL,
    look_for_en TEXT NOT NULL,
    look_for_de TEXT NOT NULL,
    -- The part of town or the organisation's area it is about; '' if none.
    area        TEXT NOT NULL
);

-- A sign as one version left it. question_id is the one catalogue question
-- the sign counts through ('': shown and recorded, never counted);
-- place_id is the catalogue location or local place it belongs to ('': not
-- one place). A sign shows at its place and wherever its question is asked.
CREATE TABLE fieldguide_signs (
    version     INTEGER PRIMARY KEY REFERENCES fieldguide_versions (version),
    label_en    TEXT NOT NULL,
    label_de    TEXT NOT NULL,
    hint_en     TEXT NOT NULL,
    hint_de     TEXT NOT NULL,
    question_id TEXT NOT NULL,
    place_id    TEXT NOT NULL
);
