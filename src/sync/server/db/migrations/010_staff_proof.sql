-- Staff proof (docs/security.md#staff-proof). Each member's Ed25519 public key, and the private key sealed
-- under their PIN (only terminals can open it, with the PIN). A member without a row here cannot sign a
-- session, so nothing written in their name is accepted until their PIN is set again (`patron-sync staff pin`).
CREATE TABLE staff_keys (
  merchant_id uuid NOT NULL REFERENCES merchants (merchant_id) ON DELETE CASCADE,
  staff_id    text NOT NULL,
  public_key  text NOT NULL,
  sealed_key  text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (merchant_id, staff_id)
);

-- Signed sessions the server verified: a write attributed to a member is accepted only when one of that
-- member's sessions covers its business time (on the pushing terminal, except for merged edits; see
-- sync/proof-check.ts). Times are the terminal's clock, like the writes they cover. A sign-out shortens its
-- session (ends_at only ever moves earlier).
CREATE TABLE staff_sessions (
  terminal_id   uuid NOT NULL,
  session_id    uuid NOT NULL,
  merchant_id   uuid NOT NULL REFERENCES merchants (merchant_id) ON DELETE CASCADE,
  staff_id      text NOT NULL,
  starts_at     timestamptz NOT NULL,
  ends_at       timestamptz NOT NULL,
  registered_at timestamptz NOT NULL DEFAULT now(),
  -- When a sign-out shortened it (server time): a manager route needs an open session (auth/acting-manager.ts).
  closed_at     timestamptz,
  PRIMARY KEY (terminal_id, session_id)
);
CREATE INDEX staff_sessions_by_member ON staff_sessions (merchant_id, staff_id, ends_at);
