-- Bulletins and public lists (SQLite). Keep in step with ../postgres/0005_bulletins.sql.

-- A generated bulletin: drafts are versioned per period; issuing freezes and publishes one.
CREATE TABLE bulletin (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    period     TEXT NOT NULL,
    version    INTEGER NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('draft','issued')),
    number     TEXT NOT NULL,
    content    TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    issued_by  TEXT,
    issued_at  TEXT,
    UNIQUE (period, version)
);

-- Wording templates and other bulletin settings the office edits.
CREATE TABLE bulletin_setting (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- 权力清单 / 责任清单 / 服务清单 / 最多跑一次 of a zone: every version kept.
CREATE TABLE public_list (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    zone_id        INTEGER NOT NULL REFERENCES zone(id),
    kind           TEXT NOT NULL CHECK (kind IN ('power','responsibility','service','one_visit')),
    version        INTEGER NOT NULL,
    content        TEXT NOT NULL,
    effective_from TEXT NOT NULL,
    published      INTEGER NOT NULL DEFAULT 0,
    created_by     TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    UNIQUE (zone_id, kind, version)
);
