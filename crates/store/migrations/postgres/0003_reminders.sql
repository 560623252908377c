-- E-mail reminders (PostgreSQL). Keep in step with ../sqlite/0003_reminders.sql.
ALTER TABLE app_user ADD COLUMN email TEXT;

CREATE TABLE reminder_sent (
    dedupe_key TEXT PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
    sent_at    TIMESTAMPTZ NOT NULL,
    channel    TEXT NOT NULL
);
