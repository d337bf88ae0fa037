-- Trust (docs/security.md): shared request limits, credential families, refusal dedupe.

-- Request counters shared by every server instance (enrolment, token exchange, push): one row per key and
-- fixed window, so a limit holds however many instances a load balancer spreads the requests over.
CREATE TABLE request_limits (
  key       text PRIMARY KEY,
  hits      integer NOT NULL,
  resets_at timestamptz NOT NULL
);

-- Device credentials a terminal has rotated away from. A credential found here when presented is a replay
-- of a copy (the real terminal moved on): the terminal's whole credential family is revoked (OAuth 2.0
-- Security BCP, refresh token rotation with reuse detection).
CREATE TABLE retired_credentials (
  credential_hash text PRIMARY KEY,
  terminal_id     uuid NOT NULL,
  retired_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX retired_credentials_by_terminal ON retired_credentials (terminal_id);
