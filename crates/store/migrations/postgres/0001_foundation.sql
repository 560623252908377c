-- Foundation schema (PostgreSQL). Keep in step with ../sqlite/0001_foundation.sql.

CREATE TABLE zone_group (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT ''
);

CREATE TABLE zone (
    id                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code               TEXT NOT NULL UNIQUE,
    name               TEXT NOT NULL,
    short_name         TEXT NOT NULL,
    kind               TEXT NOT NULL CHECK (kind IN ('economic','hightech','bonded','other')),
    level              TEXT NOT NULL CHECK (level IN ('national','provincial','city')),
    county_code        TEXT NOT NULL,
    area_ha            DOUBLE PRECISION,
    leading_industries TEXT NOT NULL DEFAULT '',
    sort_order         BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE zone_group_member (
    group_id BIGINT NOT NULL REFERENCES zone_group(id) ON DELETE CASCADE,
    zone_id  BIGINT NOT NULL REFERENCES zone(id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, zone_id)
);

CREATE TABLE unit (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL,
    county_code TEXT,
    sort_order  BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE unit_alias (
    alias   TEXT PRIMARY KEY,
    unit_id BIGINT NOT NULL REFERENCES unit(id) ON DELETE CASCADE
);

CREATE TABLE collective (
    id   BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE collective_member (
    collective_id BIGINT NOT NULL REFERENCES collective(id) ON DELETE CASCADE,
    unit_id       BIGINT NOT NULL REFERENCES unit(id) ON DELETE CASCADE,
    PRIMARY KEY (collective_id, unit_id)
);

CREATE TABLE indicator (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    unit        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('flow','stock','formula')),
    direction   TEXT NOT NULL CHECK (direction IN ('higher','lower')),
    decimals    BIGINT NOT NULL,
    formula     TEXT,
    owner_unit  TEXT,
    monthly     BOOLEAN NOT NULL DEFAULT FALSE,
    description TEXT NOT NULL DEFAULT '',
    sort_order  BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE observation (
    zone_id          BIGINT NOT NULL REFERENCES zone(id),
    indicator_id     BIGINT NOT NULL REFERENCES indicator(id),
    period           TEXT NOT NULL,
    value            DOUBLE PRECISION NOT NULL,
    prior_comparable DOUBLE PRECISION,
    status           TEXT NOT NULL DEFAULT 'approved',
    is_demo          BOOLEAN NOT NULL DEFAULT FALSE,
    updated_by       TEXT NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (zone_id, indicator_id, period)
);
CREATE INDEX observation_period ON observation(period);

CREATE TABLE app_user (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin','reviewer','zone_reporter','dept_reporter','viewer')),
    unit_id       BIGINT REFERENCES unit(id),
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    created_at    TIMESTAMPTZ NOT NULL
);

CREATE TABLE user_zone (
    user_id BIGINT NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
    zone_id BIGINT NOT NULL REFERENCES zone(id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, zone_id)
);

CREATE TABLE session (
    id_hash    TEXT PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
    csrf       TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE api_token (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE audit_log (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at         TIMESTAMPTZ NOT NULL,
    actor_id   BIGINT,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    entity     TEXT NOT NULL,
    entity_key TEXT NOT NULL,
    old_value  TEXT,
    new_value  TEXT
);
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
