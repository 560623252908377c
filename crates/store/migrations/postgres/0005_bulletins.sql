-- Bulletins and public lists (PostgreSQL). Keep in step with ../sqlite/0005_bulletins.sql.

CREATE TABLE bulletin (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    period     TEXT NOT NULL,
    version    BIGINT NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('draft','issued')),
    number     TEXT NOT NULL,
    content    TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    issued_by  TEXT,
    issued_at  TIMESTAMPTZ,
    UNIQUE (period, version)
);

CREATE TABLE bulletin_setting (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE public_list (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    zone_id        BIGINT NOT NULL REFERENCES zone(id),
    kind           TEXT NOT NULL CHECK (kind IN ('power','responsibility','service','one_visit')),
    version        BIGINT NOT NULL,
    content        TEXT NOT NULL,
    effective_from DATE NOT NULL,
    published      BOOLEAN NOT NULL DEFAULT FALSE,
    created_by     TEXT NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL,
    UNIQUE (zone_id, kind, version)
);
