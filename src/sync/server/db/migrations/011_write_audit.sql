-- The audit trail of replicated writes (docs/security.md#audit-trail): who wrote what, from which terminal,
-- when, and which fields it changed. Append-only: nothing in the server updates or deletes a row (an operator
-- prunes old rows by hand, see the doc). Written in the same statement as the write itself (sync/audit.ts), so
-- a batch that rolls back leaves no trail and an acknowledged one always has it.
--
-- `id` orders the trail (newest first is `ORDER BY id DESC`) and is the paging cursor; `version` is the one
-- the feed gave the write (null for a refused write, which has none). `staff_id` is the member the document
-- names; `terminal_id` is the pushing terminal from the access token (null for a server-made change, whose
-- `actor` is 'system'). `business_at` is the device's clock as the document states it, kept as text: it is
-- shown, never trusted for ordering. `fields` holds the top-level field names that differ from the stored
-- document (`_deleted` for a delete); NULL for an accepted insert, which changed every field (the reader lists
-- its collection's fields: documents are schema-checked, and no top-level field is optional). A refused
-- insert lists the keys it carried.
CREATE TABLE write_audit (
  merchant_id  uuid NOT NULL,
  id           bigserial,
  collection   text NOT NULL,
  document_id  text,
  customer_id  text,
  version      bigint,
  outcome      text NOT NULL CHECK (outcome IN ('accepted', 'refused')),
  refusal_code text,
  actor        text NOT NULL CHECK (actor IN ('staff', 'system')),
  staff_id     text,
  terminal_id  uuid,
  at           timestamptz NOT NULL DEFAULT now(),
  business_at  text,
  fields       text[],
  PRIMARY KEY (merchant_id, id)
);
-- A customer's history, newest first, one index range per page.
CREATE INDEX write_audit_by_customer ON write_audit (merchant_id, customer_id, id);

