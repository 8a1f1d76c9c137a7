-- Sign-in attempts per address (with or without an account, so the slow-down
-- reveals nothing). Every attempt counts until a correct password clears the row.
CREATE TABLE login_throttle (
  email text PRIMARY KEY,
  attempts integer NOT NULL,
  last_attempt_at timestamptz NOT NULL,
  locked_until timestamptz
);

-- When the "confirm or your account goes" reminder was queued: sent once, and
-- deletion waits until the reminder has been out for a while.
ALTER TABLE users ADD COLUMN unverified_reminder_sent_at timestamptz;

CREATE INDEX users_unverified ON users (created_at) WHERE email_verified_at IS NULL;

-- Keyset pagination of the admin's user list, newest first.
CREATE INDEX users_created ON users (created_at DESC, id DESC);

CREATE INDEX refresh_tokens_expires ON refresh_tokens (expires_at);
