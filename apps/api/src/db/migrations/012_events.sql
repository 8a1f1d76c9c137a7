-- An outbox row is a mail job for the `authmail` exchange (kind 'mail') or a
-- lifecycle event for the `authmail.events` exchange (kind 'event'). One table,
-- one relay and one claim query for both: an event is as durable as a mail job.
ALTER TABLE outbox ADD COLUMN kind text NOT NULL DEFAULT 'mail' CHECK (kind IN ('mail', 'event'));
