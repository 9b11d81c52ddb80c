-- The audit chain links entries in the order the projection applies them, which is the
-- log's commit order (tx_id, position), not position order: two concurrent appends can
-- commit positions 5 and 4 in that order. Verification must walk the chain in the same
-- order, so the order is stored. Entries already chained keep position order here; a
-- deployment that verified as broken before this fix rebuilds the projection
-- (`cognive-admin registry projections rebuild audit`), which rechains in commit order.
ALTER TABLE audit_entries ADD COLUMN chain_seq bigint;
UPDATE audit_entries SET chain_seq = position;
ALTER TABLE audit_entries ALTER COLUMN chain_seq SET NOT NULL;
CREATE UNIQUE INDEX audit_chain_order ON audit_entries (chain_seq);
