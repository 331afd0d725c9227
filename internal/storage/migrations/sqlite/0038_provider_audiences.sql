-- Whom a service provider serves (issue 12 item 3): victims of trafficking,
-- people at risk of it, or both, as a JSON array of codes. Until now the
-- directory held services for victims.
ALTER TABLE service_providers ADD COLUMN audiences TEXT NOT NULL DEFAULT '["victims"]';
