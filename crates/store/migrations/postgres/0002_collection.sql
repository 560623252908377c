-- Monthly collection (PostgreSQL). Keep in step with ../sqlite/0002_collection.sql.

CREATE TABLE dataset (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    period_type TEXT NOT NULL DEFAULT 'month',
    due_workday BIGINT NOT NULL DEFAULT 5,
    lock_after_days BIGINT NOT NULL DEFAULT 25
);

CREATE TABLE dataset_indicator (
    dataset_id   BIGINT NOT NULL REFERENCES dataset(id) ON DELETE CASCADE,
    indicator_id BIGINT NOT NULL REFERENCES indicator(id),
    sort_order   BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (dataset_id, indicator_id)
);

-- Holidays (workday = 0) and 调休 make-up workdays (workday = 1).
CREATE TABLE day_override (
    day     DATE PRIMARY KEY,
    workday BOOLEAN NOT NULL
);

-- A period's window set by the office, overriding the calendar rule (e.g. a re-opened month).
CREATE TABLE period_window (
    dataset_id BIGINT NOT NULL REFERENCES dataset(id) ON DELETE CASCADE,
    period     TEXT NOT NULL,
    opens_on   DATE NOT NULL,
    due_on     DATE NOT NULL,
    locks_on   DATE NOT NULL,
    PRIMARY KEY (dataset_id, period)
);

-- A later due date for one zone and period.
CREATE TABLE due_exception (
    dataset_id BIGINT NOT NULL REFERENCES dataset(id) ON DELETE CASCADE,
    zone_id    BIGINT NOT NULL REFERENCES zone(id) ON DELETE CASCADE,
    period     TEXT NOT NULL,
    due_on     DATE NOT NULL,
    PRIMARY KEY (dataset_id, zone_id, period)
);

-- One zone's report of one data set for one period, and where it is in the workflow.
CREATE TABLE submission (
    dataset_id      BIGINT NOT NULL REFERENCES dataset(id),
    zone_id         BIGINT NOT NULL REFERENCES zone(id),
    period          TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('draft','submitted','approved','locked')),
    version         BIGINT NOT NULL DEFAULT 1,
    updated_by      TEXT NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    submitted_by    TEXT,
    submitted_at    TIMESTAMPTZ,
    approved_by     TEXT,
    approved_at     TIMESTAMPTZ,
    returned_reason TEXT,
    changed_after_approval BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (dataset_id, zone_id, period)
);

ALTER TABLE observation ADD COLUMN comment TEXT NOT NULL DEFAULT '';

-- Every change of a reported value.
CREATE TABLE observation_history (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    zone_id      BIGINT NOT NULL REFERENCES zone(id),
    indicator_id BIGINT NOT NULL REFERENCES indicator(id),
    period       TEXT NOT NULL,
    old_value    DOUBLE PRECISION,
    new_value    DOUBLE PRECISION,
    old_prior    DOUBLE PRECISION,
    new_prior    DOUBLE PRECISION,
    changed_by   TEXT NOT NULL,
    changed_at   TIMESTAMPTZ NOT NULL,
    source       TEXT NOT NULL,
    after_approval BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX observation_history_cell ON observation_history(zone_id, indicator_id, period);

-- Uploaded files: staged (dry run passed), committed, or rejected.
CREATE TABLE import_batch (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          TIMESTAMPTZ NOT NULL,
    actor       TEXT NOT NULL,
    file_name   TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('staged','committed','rejected')),
    row_count   BIGINT NOT NULL DEFAULT 0,
    problem_count BIGINT NOT NULL DEFAULT 0,
    message     TEXT NOT NULL DEFAULT '',
    payload     TEXT
);
