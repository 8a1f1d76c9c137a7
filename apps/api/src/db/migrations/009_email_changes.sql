-- Changes of address a signed-in user asked for. The confirmation link and
-- code name a row by its id (their jti), so the token never carries the new
-- address; after the switch, the revert link mailed to the old address names
-- the row by revert_id. A newer request supersedes an older pending one.
CREATE TABLE email_changes (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  old_email text NOT NULL,
  new_email text NOT NULL,
  -- The user's credential version at the request: a password change since then cancels it.
  credential_version integer NOT NULL,
  created_at timestamptz NOT NULL,
  -- Until when the code works (the link carries its own expiry).
  expires_at timestamptz NOT NULL,
  -- Tries at the 6-digit code (at most 5 count).
  code_attempts integer NOT NULL DEFAULT 0,
  superseded_at timestamptz,
  confirmed_at timestamptz,
  revert_id uuid UNIQUE,
  revert_expires_at timestamptz,
  reverted_at timestamptz,
  -- Set on every change of the account when one of them is reverted: a later
  -- change's revert link (mailed to an address that was just given up) must not undo the revert.
  revert_closed_at timestamptz
);
CREATE INDEX email_changes_user ON email_changes (user_id, created_at DESC);
