-- Tries at the 6-digit code of one verification token (DESIGN §5: at most 5).
-- Rows can go once the token has expired.
CREATE TABLE verification_code_attempts (
  token_id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  attempts integer NOT NULL,
  expires_at timestamptz NOT NULL
);

-- The delivery status looks up a user's jobs that have no receipt yet ("queued").
CREATE INDEX outbox_user ON outbox ((payload->>'userId'));
