-- Saved customer groups (protocol 3): a named customer filter per document, written by managers and pulled by
-- every terminal of the merchant. The table has the shape of every replicated collection (002, 004).
CREATE TABLE customer_groups (
  merchant_id uuid NOT NULL REFERENCES merchants (merchant_id) ON DELETE CASCADE,
  id          text NOT NULL,
  doc         jsonb NOT NULL,
  version     bigint NOT NULL,
  deleted     boolean NOT NULL,
  written_by  text NOT NULL,
  written_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (merchant_id, id)
);
CREATE UNIQUE INDEX customer_groups_feed ON customer_groups (merchant_id, version);
CREATE TRIGGER customer_groups_version_guard BEFORE INSERT OR UPDATE ON customer_groups FOR EACH ROW EXECUTE FUNCTION patron_guard_version();
