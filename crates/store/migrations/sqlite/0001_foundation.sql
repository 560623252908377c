-- Foundation schema (SQLite). Keep in step with ../postgres/0001_foundation.sql.

CREATE TABLE zone_group (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT ''
);

CREATE TABLE zone (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    code               TEXT NOT NULL UNIQUE,
    name               TEXT NOT NULL,
    short_name         TEXT NOT NULL,
    kind               TEXT NOT NULL CHECK (kind IN ('economic','hightech','bonded','other')),
    level              TEXT NOT NULL CHECK (level IN ('national','provincial','city')),
    county_code        TEXT NOT NULL,
    area_ha            REAL,
    leading_industries TEXT NOT NULL DEFAULT '',
    sort_order         INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE zone_group_member (
    group_id INTEGER NOT NULL REFERENCES zone_group(id) ON DELETE CASCADE,
    zone_id  INTEGER NOT NULL REFERENCES zone(id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, zone_id)
);

CREATE TABLE unit (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL,
    county_code TEXT,
    sort_order  INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE unit_alias (
    alias   TEXT PRIMARY KEY,
    unit_id INTEGER NOT NULL REFERENCES unit(id) ON DELETE CASCADE
);

CREATE TABLE collective (
    id   INTEGER PRIMARY KEY AUTOINCREMENT,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE collective_member (
    collective_id INTEGER NOT NULL REFERENCES collective(id) ON DELETE CASCADE,
    unit_id       INTEGER NOT NULL REFERENCES unit(id) ON DELETE CASCADE,
    PRIMARY KEY (collective_id, unit_id)
);

CREATE TABLE indicator (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    unit        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('flow','stock','formula')),
    direction   TEXT NOT NULL CHECK (direction IN ('higher','lower')),
    decimals    INTEGER NOT NULL,
    formula     TEXT,
    owner_unit  TEXT,
    monthly     INTEGER NOT NULL DEFAULT 0,
    description TEXT NOT NULL DEFAULT '',
    sort_order  INTEGER NOT NULL DEFAULT 0
);

-- One reported number: flows as 1–N月累计, stocks as end-of-month levels.
CREATE TABLE observation (
    zone_id          INTEGER NOT NULL REFERENCES zone(id),
    indicator_id     INTEGER NOT NULL REFERENCES indicator(id),
    period           TEXT NOT NULL,
    value            REAL NOT NULL,
    prior_comparable REAL,
    status           TEXT NOT NULL DEFAULT 'approved',
    is_demo          INTEGER NOT NULL DEFAULT 0,
    updated_by       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    PRIMARY KEY (zone_id, indicator_id, period)
);
CREATE INDEX observation_period ON observation(period);

CREATE TABLE app_user (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin','reviewer','zone_reporter','dept_reporter','viewer')),
    unit_id       INTEGER REFERENCES unit(id),
    active        INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL
);

CREATE TABLE user_zone (
    user_id INTEGER NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
    zone_id INTEGER NOT NULL REFERENCES zone(id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, zone_id)
);

-- Sessions and tokens are stored as SHA-256 of the secret, never the secret itself.
CREATE TABLE session (
    id_hash    TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
    csrf       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

CREATE TABLE api_token (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);

-- Append-only: every write leaves one row here in the same transaction.
CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    at         TEXT NOT NULL,
    actor_id   INTEGER,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    entity     TEXT NOT NULL,
    entity_key TEXT NOT NULL,
    old_value  TEXT,
    new_value  TEXT
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
