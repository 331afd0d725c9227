-- Joint inspections link the screenings they start (issue 13 item 7):
-- "screen a worker" on an inspection opens a screening and records it
-- here, so an inspection's screenings and referrals are counted from the
-- records themselves.
CREATE TABLE inspection_screenings (
    inspection_id TEXT NOT NULL REFERENCES inspections (id),
    screening_id  TEXT NOT NULL REFERENCES screenings (id),
    started_by    TEXT NOT NULL REFERENCES users (id),
    started_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (inspection_id, screening_id)
);
CREATE INDEX inspection_screenings_screening ON inspection_screenings (screening_id);

-- The numbers a team typed before screenings were linked stay as what
-- the team reported; they have no records behind them to link, and are
-- never added to the linked counts.
ALTER TABLE inspections RENAME COLUMN screenings_started TO reported_screenings;
ALTER TABLE inspections RENAME COLUMN referrals TO reported_referrals;
