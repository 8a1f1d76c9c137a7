-- When the session (the login) a refresh token belongs to began: SESSION_MAX_AGE
-- counts from here however often the token is rotated. Older rows count from their own creation.
ALTER TABLE refresh_tokens ADD COLUMN session_started_at timestamptz;

-- Sign-in attempts per (address, client): a client that keeps failing is
-- locked out, other clients are not. The row with client '' counts the
-- address's failures from every client: it only slows them down, never locks.
ALTER TABLE login_throttle ADD COLUMN client text NOT NULL DEFAULT '';
ALTER TABLE login_throttle DROP CONSTRAINT login_throttle_pkey;
ALTER TABLE login_throttle ADD PRIMARY KEY (email, client);
UPDATE login_throttle SET locked_until = NULL;

-- Mails queued per minute, in all ('*') and per recipient domain: the mail
-- budgets every api instance shares. Rows older than an hour are pruned.
CREATE TABLE mail_budgets (
  scope text NOT NULL,
  minute timestamptz NOT NULL,
  queued integer NOT NULL,
  PRIMARY KEY (scope, minute)
);

-- Wrong verification codes per address across all its mails, kept by address
-- (not by account) so deleting and registering the account again does not
-- reset the count before its window ends.
CREATE TABLE code_failures (
  email text PRIMARY KEY,
  failures integer NOT NULL,
  window_started_at timestamptz NOT NULL
);
