-- Patron sync server schema. Every table leads with merchant_id so a distributed Postgres can shard by
-- merchant (docs/architecture.md#scale-out). Replicated documents are stored exactly as pushed (doc); server bookkeeping lives in
-- columns outside the document (docs/architecture.md#store-as-pushed, a MUST rule).

CREATE TABLE merchants (
  merchant_id uuid PRIMARY KEY,
  name        text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- The per-merchant change clock. Push transactions lock this row first; the trigger below stamps each written
-- row with the next value, so writers of one merchant are serialised and commit order equals version order.
CREATE TABLE merchant_clock (
  merchant_id uuid PRIMARY KEY REFERENCES merchants (merchant_id) ON DELETE CASCADE,
  version     bigint NOT NULL DEFAULT 0
);

CREATE TABLE stores (
  merchant_id uuid NOT NULL REFERENCES merchants (merchant_id) ON DELETE CASCADE,
  store_id    uuid NOT NULL,
  name        text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (merchant_id, store_id)
);

CREATE TABLE terminals (
  merchant_id              uuid NOT NULL,
  terminal_id              uuid NOT NULL,
  store_id                 uuid NOT NULL,
  name                     text NOT NULL,
  -- sha256 of the current device credential and of the one it replaced (still accepted until the current
  -- one is first presented, so a token answer lost on the way does not lock the terminal out).
  credential_hash          text NOT NULL,
  previous_credential_hash text,
  created_at               timestamptz NOT NULL DEFAULT now(),
  last_seen_at             timestamptz,
  revoked_at               timestamptz,
  PRIMARY KEY (merchant_id, terminal_id),
  FOREIGN KEY (merchant_id, store_id) REFERENCES stores (merchant_id, store_id)
);
CREATE UNIQUE INDEX terminals_by_id ON terminals (terminal_id);

CREATE TABLE enrolment_codes (
  merchant_id  uuid NOT NULL,
  code_hash    text NOT NULL,
  store_id     uuid NOT NULL,
  expires_at   timestamptz NOT NULL,
  used_at      timestamptz,
  used_by      uuid,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (merchant_id, code_hash),
  FOREIGN KEY (merchant_id, store_id) REFERENCES stores (merchant_id, store_id)
);
CREATE UNIQUE INDEX enrolment_codes_by_hash ON enrolment_codes (code_hash);

CREATE TABLE audit_log (
  merchant_id uuid,
  id          bigserial,
  at          timestamptz NOT NULL DEFAULT now(),
  actor       text NOT NULL,
  action      text NOT NULL,
  details     jsonb NOT NULL DEFAULT '{}'::jsonb,
  PRIMARY KEY (id)
);
CREATE INDEX audit_log_by_merchant ON audit_log (merchant_id, at);

-- Rows that can never be accepted (schema, role, foreign merchant id) are quarantined here with their reason
-- instead of failing the batch (docs/architecture.md#no-poison-pills).
CREATE TABLE rejected_writes (
  merchant_id uuid NOT NULL,
  id          bigserial,
  collection  text NOT NULL,
  document_id text,
  terminal_id uuid,
  code        text NOT NULL,
  reason      text NOT NULL,
  document    jsonb,
  at          timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (merchant_id, id)
);

-- Server-wide secrets (the access-token signing key) shared by every instance.
CREATE TABLE server_secrets (
  name  text PRIMARY KEY,
  value text NOT NULL
);

CREATE FUNCTION patron_stamp_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Takes (or re-enters) the merchant's clock row lock: even a writer that forgot the explicit
  -- SELECT ... FOR UPDATE is serialised here.
  UPDATE merchant_clock SET version = version + 1
   WHERE merchant_id = NEW.merchant_id
   RETURNING version INTO NEW.version;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no clock row for merchant %', NEW.merchant_id;
  END IF;
  NEW.written_at := now();
  RETURN NEW;
END
$$;
