-- Land intensive-use evaluation and 亩均效益 grading (PostgreSQL). Keep in step with
-- ../sqlite/0011_landuse.sql. Schemes are versioned JSON (core::landuse), every version kept.

CREATE TABLE landuse_scheme (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('intensive','mujun')),
    code       TEXT NOT NULL,
    version    BIGINT NOT NULL,
    name       TEXT NOT NULL,
    definition TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (kind, code, version)
);

-- A zone's land-use statistics (field code → value, JSON) for a year and evaluation area.
CREATE TABLE landuse_stats (
    zone_id    BIGINT NOT NULL REFERENCES zone(id),
    year       BIGINT NOT NULL,
    area       TEXT NOT NULL CHECK (area IN ('main','direction')),
    vals       TEXT NOT NULL,
    version    BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (zone_id, year, area)
);

-- An intensive-use evaluation: its scheme version and the frozen result.
CREATE TABLE landuse_eval (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    scheme_id  BIGINT NOT NULL REFERENCES landuse_scheme(id),
    year       BIGINT NOT NULL,
    outcome    TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

-- Yearly enterprise figures keyed by 统一社会信用代码 (no enterprise register here).
CREATE TABLE mujun_figure (
    year        BIGINT NOT NULL,
    uscc        TEXT NOT NULL,
    name        TEXT NOT NULL,
    zone_id     BIGINT NOT NULL REFERENCES zone(id),
    land_mu     DOUBLE PRECISION NOT NULL,
    above_scale BOOLEAN NOT NULL,
    tax         DOUBLE PRECISION,
    revenue     DOUBLE PRECISION,
    added_value DOUBLE PRECISION,
    rd          DOUBLE PRECISION,
    energy      DOUBLE PRECISION,
    emissions   DOUBLE PRECISION,
    electricity DOUBLE PRECISION,
    employees   DOUBLE PRECISION,
    exempt      TEXT NOT NULL,
    items       TEXT NOT NULL,
    updated_by  TEXT NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (year, uscc)
);
CREATE INDEX mujun_figure_zone ON mujun_figure (zone_id, year);

-- A grading: draft → publicity (公示, with its window) → final. One final per year.
CREATE TABLE mujun_run (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    scheme_id       BIGINT NOT NULL REFERENCES landuse_scheme(id),
    year            BIGINT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('draft','publicity','final')),
    publicity_start DATE,
    publicity_end   DATE,
    outcome         TEXT NOT NULL,
    version         BIGINT NOT NULL,
    created_by      TEXT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    finalised_at    TIMESTAMPTZ
);
CREATE UNIQUE INDEX mujun_run_one_final ON mujun_run (year) WHERE status = 'final';

CREATE TABLE mujun_objection (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id      BIGINT NOT NULL REFERENCES mujun_run(id),
    uscc        TEXT NOT NULL,
    text        TEXT NOT NULL,
    filed_by    TEXT NOT NULL,
    filed_at    TIMESTAMPTZ NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('open','upheld','rejected')),
    resolution  TEXT NOT NULL,
    resolved_by TEXT,
    resolved_at TIMESTAMPTZ
);
