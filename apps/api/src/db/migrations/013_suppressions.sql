-- Addresses the api sends nothing to any more: their mailbox refused us for good,
-- or their owner complained. Keyed by the normalised address, lower-cased.
CREATE TABLE suppressions (
  email text PRIMARY KEY,
  reason text NOT NULL CHECK (reason IN ('hard_bounce', 'complaint', 'soft_bounces', 'smtp_rejected')),
  -- Who told us: `smtp` (the worker's SMTP server refused the recipient) or `webhook` (POST /webhooks/bounces).
  source text NOT NULL,
  -- The SMTP reply, when there was one, for the admin who decides whether to lift it.
  detail text,
  created_at timestamptz NOT NULL DEFAULT now()
);
-- GET /suppressions pages newest first.
CREATE INDEX suppressions_created ON suppressions (created_at DESC, email DESC);

-- Temporary refusals reported by the bounce webhook; three within seven days suppress the address.
CREATE TABLE soft_bounces (
  email text NOT NULL,
  at timestamptz NOT NULL
);
CREATE INDEX soft_bounces_email ON soft_bounces (email, at);
