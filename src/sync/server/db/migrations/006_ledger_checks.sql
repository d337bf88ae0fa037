-- The ledger checked on the server (docs/loyalty.md). Server-only tables, never replicated.
--
-- Every programme the merchant has had, so an earn made offline under an older programme is checked against
-- the programme that produced it. Keyed by the programme's jsonb text (jsonb normalises key order).
CREATE TABLE program_revisions (
  merchant_id uuid NOT NULL,
  hash        text NOT NULL,
  program     jsonb NOT NULL,
  seen_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (merchant_id, hash)
);

-- Earns whose visit has not reached the server yet (visits and ledger lines replicate separately, in any
-- order). Acknowledged to the terminal, kept out of every balance, and written — or quarantined — when their
-- visit arrives.
CREATE TABLE held_entries (
  merchant_id uuid NOT NULL,
  id          text NOT NULL,
  visit_id    text NOT NULL,
  terminal_id uuid,
  document    jsonb NOT NULL,
  held_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (merchant_id, id)
);
CREATE INDEX held_entries_by_visit ON held_entries (merchant_id, visit_id);
