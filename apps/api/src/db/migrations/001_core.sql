-- Accounts. The address is stored as normalised (domain lower-cased, NFC);
-- uniqueness ignores case so one person has one account.
CREATE TABLE users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email text NOT NULL,
  password_hash text,
  email_verified_at timestamptz,
  -- Bumped whenever the password changes: links and sessions minted before stop working.
  credential_version integer NOT NULL DEFAULT 0,
  role text NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'admin')),
  display_name text,
  locale text NOT NULL DEFAULT 'en' CHECK (locale IN ('en', 'ru')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

-- Mail jobs written in the same transaction as the state they announce,
-- published by the relay; a row is published only after the broker's confirm.
CREATE TABLE outbox (
  id uuid PRIMARY KEY,
  payload jsonb NOT NULL,
  request_id text,
  created_at timestamptz NOT NULL DEFAULT now(),
  attempts integer NOT NULL DEFAULT 0,
  -- A relay claims a row until this time; another instance may take it after.
  claimed_until timestamptz,
  published_at timestamptz
);
CREATE INDEX outbox_pending ON outbox (created_at) WHERE published_at IS NULL;

-- Link tokens already consumed (single use). Rows can go once the token has expired.
CREATE TABLE used_tokens (
  jti uuid PRIMARY KEY,
  user_id uuid,
  used_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);

-- When the last mail of a kind went to an address: the per-address cooldown,
-- kept whether or not the address has an account.
CREATE TABLE mail_cooldowns (
  email text NOT NULL,
  kind text NOT NULL,
  sent_at timestamptz NOT NULL,
  PRIMARY KEY (email, kind)
);

-- What the worker reported for each job: the delivery status an admin sees and
-- the token ids the api needs to check codes.
CREATE TABLE mail_deliveries (
  job_id uuid PRIMARY KEY,
  user_id uuid REFERENCES users (id) ON DELETE CASCADE,
  email text NOT NULL,
  type text NOT NULL,
  purpose text,
  token_id uuid,
  token_expires_at timestamptz,
  status text NOT NULL CHECK (status IN ('sent', 'failed')),
  error text,
  at timestamptz NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX mail_deliveries_user ON mail_deliveries (user_id, at DESC);
CREATE INDEX mail_deliveries_token ON mail_deliveries (token_id);

-- Refresh tokens, stored as SHA-256 of the opaque value; one family per login.
CREATE TABLE refresh_tokens (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  family_id uuid NOT NULL,
  token_hash text NOT NULL UNIQUE,
  expires_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  used_at timestamptz,
  revoked_at timestamptz
);
CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
