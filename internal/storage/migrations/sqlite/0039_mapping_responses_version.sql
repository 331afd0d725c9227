-- The mapping report keeps a questionnaire's sums until its responses
-- change; asking whether they changed (count, newest id, newest time) reads
-- this index alone instead of every response row.
CREATE INDEX mapping_responses_version ON mapping_responses (round_id, questionnaire_id, submitted_at, id);
