-- Validation rules as data the office edits (PostgreSQL). Keep in step with ../sqlite/0004_rules.sql.
CREATE TABLE validation_rule (
    code       TEXT PRIMARY KEY,
    definition TEXT NOT NULL,
    active     BOOLEAN NOT NULL DEFAULT TRUE,
    sort_order BIGINT NOT NULL DEFAULT 0
);
