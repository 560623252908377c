-- Land intensive-use evaluation and 亩均效益 grading (SQLite). Keep in step with
-- ../postgres/0011_landuse.sql. Schemes are versioned JSON (core::landuse), every version kept.

CREATE TABLE landuse_scheme (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    kind       TEXT NOT NULL CHECK (kind IN ('intensive','mujun')),
    code       TEXT NOT NULL,
    version    INTEGER NOT NULL,
    name       TEXT NOT NULL,
    definition TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (kind, code, version)
);

-- A zone's land-use statistics (field code → value, JSON) for a year and evaluation area.
CREATE TABLE landuse_stats (
    zone_id    INTEGER NOT NULL REFERENCES zone(id),
    year       INTEGER NOT NULL,
    area       TEXT NOT NULL CHECK (area IN ('main','direction')),
    vals       TEXT NOT NULL,
    version    INTEGER NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (zone_id, year, area)
);

-- An intensive-use evaluation: its scheme version and the frozen result.
CREATE TABLE landuse_eval (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    scheme_id  INTEGER NOT NULL REFERENCES landuse_scheme(id),
    year       INTEGER NOT NULL,
    outcome    TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- Yearly enterprise figures keyed by 统一社会信用代码 (no enterprise register here).
CREATE TABLE mujun_figure (
    year        INTEGER NOT NULL,
    uscc        TEXT NOT NULL,
    name        TEXT NOT NULL,
    zone_id     INTEGER NOT NULL REFERENCES zone(id),
    land_mu     REAL NOT NULL,
    above_scale BOOLEAN NOT NULL,
    tax         REAL,
    revenue     REAL,
    added_value REAL,
    rd          REAL,
    energy      REAL,
    emissions   REAL,
    electricity REAL,
    employees   REAL,
    exempt      TEXT NOT NULL,
    items       TEXT NOT NULL,
    updated_by  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (year, uscc)
);
CREATE INDEX mujun_figure_zone ON mujun_figure (zone_id, year);

-- A grading: draft → publicity (公示, with its window) → final. One final per year.
CREATE TABLE mujun_run (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    scheme_id       INTEGER NOT NULL REFERENCES landuse_scheme(id),
    year            INTEGER NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('draft','publicity','final')),
    publicity_start TEXT,
    publicity_end   TEXT,
    outcome         TEXT NOT NULL,
    version         INTEGER NOT NULL,
    created_by      TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    finalised_at    TEXT
);
CREATE UNIQUE INDEX mujun_run_one_final ON mujun_run (year) WHERE status = 'final';

CREATE TABLE mujun_objection (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id      INTEGER NOT NULL REFERENCES mujun_run(id),
    uscc        TEXT NOT NULL,
    text        TEXT NOT NULL,
    filed_by    TEXT NOT NULL,
    filed_at    TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('open','upheld','rejected')),
    resolution  TEXT NOT NULL,
    resolved_by TEXT,
    resolved_at TEXT
);
