-- Each questionnaire of a round counts the changes to its responses and
-- to its reviewed free text. A writer bumps the count in the transaction
-- that changes them, so a reader learns whether the sums and the report it
-- keeps are still current from the round's own rows (read anyway), not by
-- counting responses on every request.
ALTER TABLE mapping_round_questionnaires ADD COLUMN responses_revision BIGINT NOT NULL DEFAULT 0;
ALTER TABLE mapping_round_questionnaires ADD COLUMN texts_revision BIGINT NOT NULL DEFAULT 0;
