-- One table per replicated collection: the document as pushed plus server columns.

CREATE TABLE customers (
  merchant_id uuid NOT NULL REFERENCES merchants (merchant_id) ON DELETE CASCADE,
  id          text NOT NULL,
  doc         jsonb NOT NULL,
  version     bigint NOT NULL,
  deleted     boolean NOT NULL,
  written_by  text NOT NULL,
  written_at  timestamptz NOT NULL DEFAULT now(),
  phone       text GENERATED ALWAYS AS (doc->>'phone') STORED,
  PRIMARY KEY (merchant_id, id)
);
CREATE UNIQUE INDEX customers_feed ON customers (merchant_id, version);
CREATE TRIGGER customers_stamp BEFORE INSERT OR UPDATE ON customers
  FOR EACH ROW EXECUTE FUNCTION patron_stamp_version();

CREATE TABLE visits (
  merchant_id uuid NOT NULL REFERENCES merchants (merchant_id) ON DELETE CASCADE,
  id          text NOT NULL,
  doc         jsonb NOT NULL,
  version     bigint NOT NULL,
  deleted     boolean NOT NULL,
  written_by  text NOT NULL,
  written_at  timestamptz NOT NULL DEFAULT now(),
  customer_id text GENERATED ALWAYS AS (doc->>'customerId') STORED,
  PRIMARY KEY (merchant_id, id)
);
CREATE UNIQUE INDEX visits_feed ON visits (merchant_id, version);
CREATE TRIGGER visits_stamp BEFORE INSERT OR UPDATE ON visits
  FOR EACH ROW EXECUTE FUNCTION patron_stamp_version();

CREATE TABLE loyalty_entries (
  merchant_id uuid NOT NULL REFERENCES merchants (merchant_id) ON DELETE CASCADE,
  id          text NOT NULL,
  doc         jsonb NOT NULL,
  version     bigint NOT NULL,
  deleted     boolean NOT NULL,
  written_by  text NOT NULL,
  written_at  timestamptz NOT NULL DEFAULT now(),
  customer_id text GENERATED ALWAYS AS (doc->>'customerId') STORED,
  PRIMARY KEY (merchant_id, id)
);
CREATE UNIQUE INDEX loyalty_entries_feed ON loyalty_entries (merchant_id, version);
CREATE TRIGGER loyalty_entries_stamp BEFORE INSERT OR UPDATE ON loyalty_entries
  FOR EACH ROW EXECUTE FUNCTION patron_stamp_version();

CREATE TABLE rewards (
  merchant_id uuid NOT NULL REFERENCES merchants (merchant_id) ON DELETE CASCADE,
  id          text NOT NULL,
  doc         jsonb NOT NULL,
  version     bigint NOT NULL,
  deleted     boolean NOT NULL,
  written_by  text NOT NULL,
  written_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (merchant_id, id)
);
CREATE UNIQUE INDEX rewards_feed ON rewards (merchant_id, version);
CREATE TRIGGER rewards_stamp BEFORE INSERT OR UPDATE ON rewards
  FOR EACH ROW EXECUTE FUNCTION patron_stamp_version();

CREATE TABLE settings (
  merchant_id uuid NOT NULL REFERENCES merchants (merchant_id) ON DELETE CASCADE,
  id          text NOT NULL,
  doc         jsonb NOT NULL,
  version     bigint NOT NULL,
  deleted     boolean NOT NULL,
  written_by  text NOT NULL,
  written_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (merchant_id, id)
);
CREATE UNIQUE INDEX settings_feed ON settings (merchant_id, version);
CREATE TRIGGER settings_stamp BEFORE INSERT OR UPDATE ON settings
  FOR EACH ROW EXECUTE FUNCTION patron_stamp_version();

CREATE TABLE staff (
  merchant_id uuid NOT NULL REFERENCES merchants (merchant_id) ON DELETE CASCADE,
  id          text NOT NULL,
  doc         jsonb NOT NULL,
  version     bigint NOT NULL,
  deleted     boolean NOT NULL,
  written_by  text NOT NULL,
  written_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (merchant_id, id)
);
CREATE UNIQUE INDEX staff_feed ON staff (merchant_id, version);
CREATE TRIGGER staff_stamp BEFORE INSERT OR UPDATE ON staff
  FOR EACH ROW EXECUTE FUNCTION patron_stamp_version();

CREATE TABLE inbox (
  merchant_id uuid NOT NULL REFERENCES merchants (merchant_id) ON DELETE CASCADE,
  id          text NOT NULL,
  doc         jsonb NOT NULL,
  version     bigint NOT NULL,
  deleted     boolean NOT NULL,
  written_by  text NOT NULL,
  written_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (merchant_id, id)
);
CREATE UNIQUE INDEX inbox_feed ON inbox (merchant_id, version);
CREATE TRIGGER inbox_stamp BEFORE INSERT OR UPDATE ON inbox
  FOR EACH ROW EXECUTE FUNCTION patron_stamp_version();

CREATE INDEX customers_by_phone ON customers (merchant_id, phone) WHERE NOT deleted;
CREATE INDEX visits_by_customer ON visits (merchant_id, customer_id);
CREATE INDEX loyalty_entries_by_customer ON loyalty_entries (merchant_id, customer_id);
