-- Idle land (闲置土地): the parcel register, the procedure's steps and the 台账 imports, SQLite.
-- Keep in step with ../postgres/0010_land.sql. Money in 分 (integers), areas in m².

-- The rule set in force (JSON of core::land::rules::Thresholds under 'thresholds'), and the
-- office's holiday calendar is the shared one (day_override).
CREATE TABLE land_setting (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE land_parcel (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    code                TEXT NOT NULL UNIQUE,
    zone_id             INTEGER NOT NULL REFERENCES zone(id),
    holder              TEXT NOT NULL,
    uscc                TEXT NOT NULL,
    land_use            TEXT NOT NULL,
    area_m2             REAL NOT NULL,
    supply              TEXT NOT NULL CHECK (supply IN ('sale','allocation')),
    supply_date         TEXT,
    contract_start      TEXT,
    contract_completion TEXT,
    handover            TEXT,
    price_fen           INTEGER NOT NULL,
    planned_fen         INTEGER NOT NULL,
    invested_fen        INTEGER NOT NULL,
    to_develop_m2       REAL NOT NULL,
    developed_m2        REAL NOT NULL,
    started             TEXT,
    start_evidence      TEXT,
    halted              TEXT,
    cause               TEXT,
    mortgagee           TEXT NOT NULL DEFAULT '',
    monitored           INTEGER NOT NULL DEFAULT 0,
    note                TEXT NOT NULL DEFAULT '',
    is_demo             INTEGER NOT NULL DEFAULT 0,
    version             INTEGER NOT NULL DEFAULT 1,
    updated_by          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
);
CREATE INDEX land_parcel_zone ON land_parcel(zone_id);

-- The procedure, one row per recorded step; a negotiated plan ('plan') carries its option and
-- the restarted clock.
CREATE TABLE land_step (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    parcel_id       INTEGER NOT NULL REFERENCES land_parcel(id),
    step            TEXT NOT NULL,
    on_date         TEXT NOT NULL,
    doc_no          TEXT NOT NULL DEFAULT '',
    note            TEXT NOT NULL DEFAULT '',
    plan_option     TEXT,
    new_start_due   TEXT,
    temporary_until TEXT,
    created_by      TEXT NOT NULL,
    created_at      TEXT NOT NULL
);
CREATE INDEX land_step_parcel ON land_step(parcel_id, id);

CREATE TABLE land_import (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    at            TEXT NOT NULL,
    actor         TEXT NOT NULL,
    file_name     TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('rejected','staged','committed')),
    row_count     INTEGER NOT NULL,
    problem_count INTEGER NOT NULL,
    message       TEXT NOT NULL,
    payload       TEXT
);
