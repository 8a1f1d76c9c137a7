-- When the session (the login) a refresh token belongs to began: SESSION_MAX_AGE
-- counts from here however often the token is rotated. Older rows count from their own creation.
ALTER TABLE refresh_tokens ADD COLUMN session_started_at timestamptz;
