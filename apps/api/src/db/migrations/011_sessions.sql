-- What the owner sees of each session (GET /me/sessions): the client that
-- signed in (recorded at login, carried to every rotated token of the family)
-- and when the session was last refreshed.
ALTER TABLE refresh_tokens ADD COLUMN user_agent text;
ALTER TABLE refresh_tokens ADD COLUMN ip text;
ALTER TABLE refresh_tokens ADD COLUMN last_used_at timestamptz;
