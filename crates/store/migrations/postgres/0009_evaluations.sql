-- Annual evaluation (PostgreSQL). Keep in step with ../sqlite/0009_evaluations.sql.

-- Schemes are versioned: a new version is a new row, old versions stay for the runs that used them.
CREATE TABLE eval_scheme (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code       TEXT NOT NULL,
    version    BIGINT NOT NULL,
    name       TEXT NOT NULL,
    definition TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (code, version)
);

-- Counts behind deductions, bonuses and vetoes (环保督察问题, 安全事故 …) with their evidence.
CREATE TABLE eval_adjustment_input (
    year     BIGINT NOT NULL,
    zone_id  BIGINT NOT NULL REFERENCES zone(id),
    item     TEXT NOT NULL,
    value    DOUBLE PRECISION NOT NULL,
    evidence TEXT NOT NULL,
    PRIMARY KEY (year, zone_id, item)
);

-- A run freezes its inputs, context and result; publishing makes it the official ranking.
CREATE TABLE eval_run (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    scheme_id    BIGINT NOT NULL REFERENCES eval_scheme(id),
    year         BIGINT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('draft','published')),
    inputs       TEXT NOT NULL,
    context      TEXT NOT NULL,
    outcome      TEXT NOT NULL,
    mc           TEXT,
    created_by   TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    published_at TIMESTAMPTZ
);
