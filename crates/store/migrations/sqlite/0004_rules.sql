-- Validation rules as data the office edits (SQLite). Keep in step with ../postgres/0004_rules.sql.
CREATE TABLE validation_rule (
    code       TEXT PRIMARY KEY,
    definition TEXT NOT NULL,
    active     INTEGER NOT NULL DEFAULT 1,
    sort_order INTEGER NOT NULL DEFAULT 0
);
