-- Registers (名录) whose records feed the plan's count targets, PostgreSQL. Keep in step with
-- ../sqlite/0012_registers.sql. One generic layout for the five registers: the record's fields
-- are JSON (canonical text per field, see nengji_core::registers), with the columns lists filter
-- on kept beside it.

CREATE TABLE reg_record (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    register   TEXT NOT NULL CHECK (register IN ('projects','enterprises','platforms','parks','funds')),
    key        TEXT NOT NULL,
    name       TEXT NOT NULL,
    zone       TEXT NOT NULL DEFAULT '',
    county     TEXT NOT NULL DEFAULT '',
    data       TEXT NOT NULL,
    version    BIGINT NOT NULL DEFAULT 1,
    is_demo    BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (register, key)
);
CREATE INDEX reg_record_zone ON reg_record (register, zone);

-- Every change of a record: what changed (JSON list of [field, old, new]) and who did it.
CREATE TABLE reg_history (
    id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    record_id BIGINT NOT NULL REFERENCES reg_record(id),
    at        TIMESTAMPTZ NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    summary   TEXT NOT NULL,
    changes   TEXT NOT NULL
);
CREATE INDEX reg_history_record ON reg_history (record_id, id);

-- Dated entries under a record: monthly investment, cultivation actions, disbursements.
CREATE TABLE reg_entry (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    record_id  BIGINT NOT NULL REFERENCES reg_record(id),
    kind       TEXT NOT NULL CHECK (kind IN ('investment','cultivation','disbursement')),
    day        DATE NOT NULL,
    amount     DOUBLE PRECISION,
    note       TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX reg_entry_record ON reg_entry (record_id, day);

-- Uploaded files: a clean dry run is staged (its parsed rows as JSON) until committed.
CREATE TABLE reg_import (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    register      TEXT NOT NULL,
    file_name     TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('staged','committed','rejected')),
    rows          TEXT NOT NULL,
    row_count     BIGINT NOT NULL,
    problem_count BIGINT NOT NULL,
    message       TEXT NOT NULL DEFAULT '',
    actor         TEXT NOT NULL,
    zones         TEXT NOT NULL DEFAULT '',
    at            TIMESTAMPTZ NOT NULL
);
