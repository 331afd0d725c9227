-- The contract page asks for the countries of a contract's sites (risk
-- list hits) and for its sites without workforce figures (what is missing
-- before award) on every view: both read these indexes alone instead of
-- every site of the contract.
CREATE INDEX procurement_sites_country ON procurement_sites (contract_id, country);
CREATE INDEX procurement_sites_no_workforce ON procurement_sites (contract_id, name) WHERE workers IS NULL;
