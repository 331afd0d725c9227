-- The population the coordinator enters per area of the city and year, the
-- denominator of SDG indicator 16.2.2 (victims per 100,000 inhabitants).
-- area_code is a code of the areas table (0033), or '' for the whole city;
-- a figure is a count of inhabitants, never of persons Waymark knows.
-- Source says where the figure comes from (the statistical office's
-- release), so a rate can be traced.
CREATE TABLE statistics_population (
    area_code  TEXT NOT NULL,
    year       INTEGER NOT NULL,
    population INTEGER NOT NULL CHECK (population > 0),
    source     TEXT NOT NULL DEFAULT '',
    updated_by TEXT NOT NULL REFERENCES users (id),
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (area_code, year)
);
