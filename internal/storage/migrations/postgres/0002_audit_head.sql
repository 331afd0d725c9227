-- Audit log head: one row holding the number of entries. Appenders lock it
-- (SELECT … FOR UPDATE on PostgreSQL) so audit entries get gap-free,
-- serialised sequence numbers inside the caller's transaction.

CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    size BIGINT NOT NULL
);
INSERT INTO audit_head (id, size) SELECT 1, count(*) FROM audit_log;
