-- Monthly collection (SQLite). Keep in step with ../postgres/0002_collection.sql.

CREATE TABLE dataset (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    period_type TEXT NOT NULL DEFAULT 'month',
    due_workday INTEGER NOT NULL DEFAULT 5,
    lock_after_days INTEGER NOT NULL DEFAULT 25
);

CREATE TABLE dataset_indicator (
    dataset_id   INTEGER NOT NULL REFERENCES dataset(id) ON DELETE CASCADE,
    indicator_id INTEGER NOT NULL REFERENCES indicator(id),
    sort_order   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (dataset_id, indicator_id)
);

-- Holidays (workday = 0) and 调休 make-up workdays (workday = 1).
CREATE TABLE day_override (
    day     TEXT PRIMARY KEY,
    workday INTEGER NOT NULL
);

-- A period's window set by the office, overriding the calendar rule (e.g. a re-opened month).
CREATE TABLE period_window (
    dataset_id INTEGER NOT NULL REFERENCES dataset(id) ON DELETE CASCADE,
    period     TEXT NOT NULL,
    opens_on   TEXT NOT NULL,
    due_on     TEXT NOT NULL,
    locks_on   TEXT NOT NULL,
    PRIMARY KEY (dataset_id, period)
);

-- A later due date for one zone and period.
CREATE TABLE due_exception (
    dataset_id INTEGER NOT NULL REFERENCES dataset(id) ON DELETE CASCADE,
    zone_id    INTEGER NOT NULL REFERENCES zone(id) ON DELETE CASCADE,
    period     TEXT NOT NULL,
    due_on     TEXT NOT NULL,
    PRIMARY KEY (dataset_id, zone_id, period)
);

-- One zone's report of one data set for one period, and where it is in the workflow.
CREATE TABLE submission (
    dataset_id      INTEGER NOT NULL REFERENCES dataset(id),
    zone_id         INTEGER NOT NULL REFERENCES zone(id),
    period          TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('draft','submitted','approved','locked')),
    version         INTEGER NOT NULL DEFAULT 1,
    updated_by      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    submitted_by    TEXT,
    submitted_at    TEXT,
    approved_by     TEXT,
    approved_at     TEXT,
    returned_reason TEXT,
    changed_after_approval INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (dataset_id, zone_id, period)
);

ALTER TABLE observation ADD COLUMN comment TEXT NOT NULL DEFAULT '';

-- Every change of a reported value.
CREATE TABLE observation_history (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    zone_id      INTEGER NOT NULL REFERENCES zone(id),
    indicator_id INTEGER NOT NULL REFERENCES indicator(id),
    period       TEXT NOT NULL,
    old_value    REAL,
    new_value    REAL,
    old_prior    REAL,
    new_prior    REAL,
    changed_by   TEXT NOT NULL,
    changed_at   TEXT NOT NULL,
    source       TEXT NOT NULL,
    after_approval INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX observation_history_cell ON observation_history(zone_id, indicator_id, period);

-- Uploaded files: staged (dry run passed), committed, or rejected.
CREATE TABLE import_batch (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    file_name   TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('staged','committed','rejected')),
    row_count   INTEGER NOT NULL DEFAULT 0,
    problem_count INTEGER NOT NULL DEFAULT 0,
    message     TEXT NOT NULL DEFAULT '',
    payload     TEXT
);
