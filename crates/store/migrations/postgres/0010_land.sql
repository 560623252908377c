-- Idle land (闲置土地): the parcel register, the procedure's steps and the 台账 imports, PostgreSQL.
-- Keep in step with ../sqlite/0010_land.sql. Money in 分 (integers), areas in m².

-- The rule set in force (JSON of core::land::rules::Thresholds under 'thresholds'), and the
-- office's holiday calendar is the shared one (day_override).
CREATE TABLE land_setting (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE land_parcel (
    id                  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code                TEXT NOT NULL UNIQUE,
    zone_id             BIGINT NOT NULL REFERENCES zone(id),
    holder              TEXT NOT NULL,
    uscc                TEXT NOT NULL,
    land_use            TEXT NOT NULL,
    area_m2             DOUBLE PRECISION NOT NULL,
    supply              TEXT NOT NULL CHECK (supply IN ('sale','allocation')),
    supply_date         DATE,
    contract_start      DATE,
    contract_completion DATE,
    handover            DATE,
    price_fen           BIGINT NOT NULL,
    planned_fen         BIGINT NOT NULL,
    invested_fen        BIGINT NOT NULL,
    to_develop_m2       DOUBLE PRECISION NOT NULL,
    developed_m2        DOUBLE PRECISION NOT NULL,
    started             DATE,
    start_evidence      TEXT,
    halted              DATE,
    cause               TEXT,
    mortgagee           TEXT NOT NULL DEFAULT '',
    monitored           BOOLEAN NOT NULL DEFAULT FALSE,
    note                TEXT NOT NULL DEFAULT '',
    is_demo             BOOLEAN NOT NULL DEFAULT FALSE,
    version             BIGINT NOT NULL DEFAULT 1,
    updated_by          TEXT NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL
);
CREATE INDEX land_parcel_zone ON land_parcel(zone_id);

-- The procedure, one row per recorded step; a negotiated plan ('plan') carries its option and
-- the restarted clock.
CREATE TABLE land_step (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    parcel_id       BIGINT NOT NULL REFERENCES land_parcel(id),
    step            TEXT NOT NULL,
    on_date         DATE NOT NULL,
    doc_no          TEXT NOT NULL DEFAULT '',
    note            TEXT NOT NULL DEFAULT '',
    plan_option     TEXT,
    new_start_due   DATE,
    temporary_until DATE,
    created_by      TEXT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX land_step_parcel ON land_step(parcel_id, id);

CREATE TABLE land_import (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at            TIMESTAMPTZ NOT NULL,
    actor         TEXT NOT NULL,
    file_name     TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('rejected','staged','committed')),
    row_count     BIGINT NOT NULL,
    problem_count BIGINT NOT NULL,
    message       TEXT NOT NULL,
    payload       TEXT
);
