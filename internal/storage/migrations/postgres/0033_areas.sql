-- Areas of the city (districts, quarters, wards) the coordinator uploads as
-- GeoJSON, for maps of aggregated counts. An area is known by its code; a
-- new upload of the same code with another name or shape is a new version
-- and the old row is kept, marked replaced, so a map drawn earlier can be
-- explained; an upload without a code retires its current version (marked
-- replaced, no new version). Areas are public geography: no personal data
-- is kept here, and nothing else is placed on a map but counts per area.
CREATE TABLE areas (
    id          TEXT PRIMARY KEY,
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,
    version     INTEGER NOT NULL,
    -- The geometry as a GeoJSON MultiPolygon (longitude, latitude; WGS84).
    geometry    TEXT NOT NULL,
    created_by  TEXT NOT NULL REFERENCES users (id),
    created_org TEXT NOT NULL REFERENCES organisations (id),
    created_at  TIMESTAMPTZ NOT NULL,
    -- Set when a later upload replaced or retired this version.
    replaced_at TIMESTAMPTZ,
    UNIQUE (code, version)
);
-- At most one current version of each code.
CREATE UNIQUE INDEX areas_current ON areas (code) WHERE replaced_at IS NULL;
