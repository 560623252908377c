-- E-mail reminders (SQLite). Keep in step with ../postgres/0003_reminders.sql.
ALTER TABLE app_user ADD COLUMN email TEXT;

-- One row per reminder sent, so the same reminder goes out at most once a day.
CREATE TABLE reminder_sent (
    dedupe_key TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
    sent_at    TEXT NOT NULL,
    channel    TEXT NOT NULL
);
