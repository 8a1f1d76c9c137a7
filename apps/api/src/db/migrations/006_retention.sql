-- The retention job (src/retention/) deletes old rows in batches; these let it
-- find them without reading whole tables.
CREATE INDEX outbox_published ON outbox (published_at) WHERE published_at IS NOT NULL;

CREATE INDEX used_tokens_expires ON used_tokens (expires_at);

CREATE INDEX mail_cooldowns_sent ON mail_cooldowns (sent_at);

CREATE INDEX verification_code_attempts_expires ON verification_code_attempts (expires_at);

-- Receipts that name no account (the user was deleted, or the address never had one).
CREATE INDEX mail_deliveries_orphaned ON mail_deliveries (recorded_at) WHERE user_id IS NULL;
