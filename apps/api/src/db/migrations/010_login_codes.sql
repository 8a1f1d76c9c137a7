-- Sign-in by e-mailed code: each account's newest request (a new one replaces
-- it, with a fresh count of tries). The code is an HMAC of the jti of the
-- token the worker mints for the job; the job's receipt (mail_deliveries.job_id)
-- tells the api that jti. The address and credential version are the ones the
-- code was mailed for: a changed address or password ends the code.
CREATE TABLE login_codes (
  user_id uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  job_id uuid NOT NULL,
  email text NOT NULL,
  credential_version integer NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  requested_at timestamptz NOT NULL
);

-- An account an admin created waits for its invitation (INVITE_TTL, longer
-- than UNVERIFIED_ACCOUNT_TTL): the unverified cleanup leaves it alone until then.
ALTER TABLE users ADD COLUMN invited_until timestamptz;
