-- /readyz proves the database takes writes, not only that it answers
-- (issue #11): each probe commits one update of this single row, which
-- fails on a read-only database or a full disk.
CREATE TABLE storage_heartbeat (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    beats BIGINT NOT NULL
);
INSERT INTO storage_heartbeat (id, beats) VALUES (1, 0);
