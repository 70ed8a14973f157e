-- Accounts and refresh-token sessions. Emails are stored normalised (trimmed, lower case); the
-- unique index, not a lookup before the insert, is what refuses a second account.
CREATE TABLE gateway.users (
  id uuid PRIMARY KEY,
  email text NOT NULL CHECK (email = lower(btrim(email)) AND length(email) BETWEEN 3 AND 254),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  password_hash text NOT NULL,
  role text NOT NULL DEFAULT 'customer' CHECK (role IN ('customer', 'admin')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON gateway.users (email);
CREATE INDEX users_created_idx ON gateway.users (created_at, id);

-- One family per sign-in; every refresh adds a token to it. Revoking the family ends the session.
CREATE TABLE gateway.refresh_families (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES gateway.users (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL,
  revoked_at timestamptz,
  revoked_reason text CHECK (revoked_reason IN ('logout', 'reuse', 'role_changed'))
);
CREATE INDEX refresh_families_user_idx ON gateway.refresh_families (user_id) WHERE revoked_at IS NULL;

-- Only the SHA-256 of a refresh token is stored: a leaked table gives no usable token.
CREATE TABLE gateway.refresh_tokens (
  token_hash text PRIMARY KEY,
  family_id uuid NOT NULL REFERENCES gateway.refresh_families (id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES gateway.users (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  rotated_at timestamptz
);
CREATE INDEX refresh_tokens_family_idx ON gateway.refresh_tokens (family_id);
CREATE INDEX refresh_tokens_expiry_idx ON gateway.refresh_tokens (expires_at);
