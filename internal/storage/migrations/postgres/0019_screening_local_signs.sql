-- A screening records the version of the local field guide it was shown
-- with (0: none), and the local signs without a catalogue question that
-- the worker noted (a JSON array of sign ids). Those signs are kept with
-- the screening and shown on its result; they never change the result,
-- which only catalogue questions decide.
ALTER TABLE screenings ADD COLUMN local_version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE screenings ADD COLUMN local_signs TEXT NOT NULL DEFAULT '[]';
