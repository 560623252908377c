-- Annual evaluation (SQLite). Keep in step with ../postgres/0009_evaluations.sql.

-- Schemes are versioned: a new version is a new row, old versions stay for the runs that used them.
CREATE TABLE eval_scheme (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    code       TEXT NOT NULL,
    version    INTEGER NOT NULL,
    name       TEXT NOT NULL,
    definition TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (code, version)
);

-- Counts behind deductions, bonuses and vetoes (环保督察问题, 安全事故 …) with their evidence.
CREATE TABLE eval_adjustment_input (
    year     INTEGER NOT NULL,
    zone_id  INTEGER NOT NULL REFERENCES zone(id),
    item     TEXT NOT NULL,
    value    REAL NOT NULL,
    evidence TEXT NOT NULL,
    PRIMARY KEY (year, zone_id, item)
);

-- A run freezes its inputs, context and result; publishing makes it the official ranking.
CREATE TABLE eval_run (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    scheme_id    INTEGER NOT NULL REFERENCES eval_scheme(id),
    year         INTEGER NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('draft','published')),
    inputs       TEXT NOT NULL,
    context      TEXT NOT NULL,
    outcome      TEXT NOT NULL,
    mc           TEXT,
    created_by   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    published_at TEXT
);
