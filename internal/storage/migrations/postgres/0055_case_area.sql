-- The area of the city (a code of the areas table, 0033) a case is
-- worked in, recorded on the case page; '' is "not recorded". The code,
-- not an area row, is kept: a later upload of the same code with a new
-- shape is a new version of the same area, and the case stays in it.
-- Read by the case list's filter and exports and by the statistics'
-- area dimension; a retired code stays on the cases that had it.
ALTER TABLE cases ADD COLUMN area_code TEXT NOT NULL DEFAULT '';
CREATE INDEX cases_area ON cases (area_code);
