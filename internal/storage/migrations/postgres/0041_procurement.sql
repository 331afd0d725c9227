-- Procurement due diligence (issue 13 items 1 and 2; UK PPN 02/23; the
-- Danube guidelines' prevention through monitoring of public procurement,
-- 003 §3.4): the municipality's contracts with a risk rating on the six
-- PPN 02/23 characteristics, suppliers with their modern-slavery
-- statements, subcontractor chains by tier, the sites where the work is
-- done, and risk lists (the US TVPRA list, the operator's own list) with
-- their provenance. Everything here is about organisations and places,
-- never about a person: no field is sealed.

-- A supplier or subcontractor. country is an ISO 3166-1 alpha-2 code.
-- statement is '' until the modern-slavery statement question is
-- answered, then 'yes' or 'no'; year, board approval and signature are
-- recorded for a statement that exists.
CREATE TABLE procurement_suppliers (
    id                 TEXT PRIMARY KEY,
    legal_name         TEXT NOT NULL,
    registry_number    TEXT NOT NULL DEFAULT '',
    country            TEXT NOT NULL,
    parent_id          TEXT REFERENCES procurement_suppliers (id),
    sector             TEXT NOT NULL DEFAULT '',
    statement          TEXT NOT NULL DEFAULT '',
    statement_year     INTEGER NOT NULL DEFAULT 0,
    statement_board    INTEGER NOT NULL DEFAULT 0,
    statement_signed   INTEGER NOT NULL DEFAULT 0,
    created_by         TEXT NOT NULL REFERENCES users (id),
    created_at         TIMESTAMPTZ NOT NULL,
    updated_by         TEXT NOT NULL REFERENCES users (id),
    updated_at         TIMESTAMPTZ NOT NULL
);
CREATE INDEX procurement_suppliers_name ON procurement_suppliers (legal_name, id);

-- A contract. Dates are YYYY-MM-DD; value is in minor units (cents) of an
-- ISO 4217 currency; goods is a JSON array of the goods and commodities
-- supplied, matched against the risk lists. risk is the overall rating
-- ('' until all six characteristics are rated). chain says whether the
-- subcontractor chain was declared: '' not yet, 'none' (no
-- subcontractors) or 'declared'. review_on has a reminder remind_days
-- before it; reminded_for is the review date last mailed about.
CREATE TABLE procurement_contracts (
    id              TEXT PRIMARY KEY,
    authority       TEXT NOT NULL,
    subject         TEXT NOT NULL,
    cpv             TEXT NOT NULL,
    value_minor     INTEGER NOT NULL DEFAULT 0,
    currency        TEXT NOT NULL,
    starts_on       TEXT NOT NULL,
    ends_on         TEXT NOT NULL,
    supplier_id     TEXT REFERENCES procurement_suppliers (id),
    goods           TEXT NOT NULL DEFAULT '[]',
    risk            TEXT NOT NULL DEFAULT '',
    social_clause   INTEGER NOT NULL DEFAULT 0,
    slavery_clause  INTEGER NOT NULL DEFAULT 0,
    chain           TEXT NOT NULL DEFAULT '',
    -- 'draft', 'awarded' or 'ended'.
    status          TEXT NOT NULL,
    review_on       TEXT NOT NULL DEFAULT '',
    remind_days     INTEGER NOT NULL DEFAULT 30,
    reminded_for    TEXT NOT NULL DEFAULT '',
    created_by      TEXT NOT NULL REFERENCES users (id),
    created_at      TIMESTAMPTZ NOT NULL,
    updated_by      TEXT NOT NULL REFERENCES users (id),
    updated_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX procurement_contracts_list ON procurement_contracts (status, created_at);
CREATE INDEX procurement_contracts_review ON procurement_contracts (review_on);
CREATE INDEX procurement_contracts_supplier ON procurement_contracts (supplier_id);

-- The rating of one PPN 02/23 characteristic of a contract, with the
-- reason the officer recorded for it.
CREATE TABLE procurement_ratings (
    contract_id    TEXT NOT NULL REFERENCES procurement_contracts (id),
    characteristic TEXT NOT NULL,
    -- 'high', 'medium' or 'low'.
    level          TEXT NOT NULL,
    reason         TEXT NOT NULL,
    PRIMARY KEY (contract_id, characteristic)
);

-- A link of a contract's subcontractor chain: parent_id subcontracts to
-- supplier_id. The contract's supplier is tier 1; a subcontractor's tier
-- is its parent's plus one.
CREATE TABLE procurement_subcontracts (
    id          TEXT PRIMARY KEY,
    contract_id TEXT NOT NULL REFERENCES procurement_contracts (id),
    parent_id   TEXT NOT NULL REFERENCES procurement_suppliers (id),
    supplier_id TEXT NOT NULL REFERENCES procurement_suppliers (id),
    tier        INTEGER NOT NULL,
    created_by  TEXT NOT NULL REFERENCES users (id),
    created_at  TIMESTAMPTZ NOT NULL,
    UNIQUE (contract_id, supplier_id)
);
CREATE INDEX procurement_subcontracts_contract ON procurement_subcontracts (contract_id, tier);

-- A site where a contract's work is done, run by the contract's supplier
-- or one of its subcontractors. workers is NULL until the workforce
-- figures are recorded; the shares are percentages of the workers.
CREATE TABLE procurement_sites (
    id              TEXT PRIMARY KEY,
    contract_id     TEXT NOT NULL REFERENCES procurement_contracts (id),
    supplier_id     TEXT NOT NULL REFERENCES procurement_suppliers (id),
    name            TEXT NOT NULL,
    address         TEXT NOT NULL,
    country         TEXT NOT NULL,
    kind            TEXT NOT NULL,
    workers         INTEGER,
    migrant_share   INTEGER NOT NULL DEFAULT 0,
    agency_share    INTEGER NOT NULL DEFAULT 0,
    seasonal_share  INTEGER NOT NULL DEFAULT 0,
    labour_provider TEXT NOT NULL DEFAULT '',
    accommodation   INTEGER NOT NULL DEFAULT 0,
    created_by      TEXT NOT NULL REFERENCES users (id),
    created_at      TIMESTAMPTZ NOT NULL,
    updated_by      TEXT NOT NULL REFERENCES users (id),
    updated_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX procurement_sites_contract ON procurement_sites (contract_id, name, id);

-- An imported edition of a risk list with its provenance: 'tvpra' (the US
-- list of goods produced by child or forced labour) or 'operator' (the
-- operator's commodity/country list, with its own source name). An import
-- replaces the entries of the kind's previous edition, whose provenance
-- stays with replaced_at set.
CREATE TABLE procurement_risk_lists (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    source      TEXT NOT NULL,
    edition_on  TEXT NOT NULL,
    file_name   TEXT NOT NULL,
    entries     INTEGER NOT NULL,
    imported_by TEXT NOT NULL REFERENCES users (id),
    imported_at TIMESTAMPTZ NOT NULL,
    replaced_at TIMESTAMPTZ
);
CREATE INDEX procurement_risk_lists_kind ON procurement_risk_lists (kind, imported_at);

-- An entry of a current risk list. good and country are as the list
-- spells them; good_key is the lower-cased good ('' for any good) and
-- country_code the ISO code it names ('' for any country), which hits
-- match on. level is 'high', 'medium' or 'low'; the TVPRA list marks child
-- and forced labour.
CREATE TABLE procurement_risk_entries (
    id           TEXT PRIMARY KEY,
    list_id      TEXT NOT NULL REFERENCES procurement_risk_lists (id),
    good         TEXT NOT NULL,
    good_key     TEXT NOT NULL,
    country      TEXT NOT NULL,
    country_code TEXT NOT NULL,
    child_labour INTEGER NOT NULL DEFAULT 0,
    forced_labour INTEGER NOT NULL DEFAULT 0,
    level        TEXT NOT NULL,
    note         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX procurement_risk_entries_good ON procurement_risk_entries (good_key, country_code);
CREATE INDEX procurement_risk_entries_country ON procurement_risk_entries (country_code, good_key);
