-- Tamper-evident audit log (SQLite): every record carries the hash of its predecessor.
-- Keep in step with ../postgres/0006_audit_chain.sql.
ALTER TABLE audit_log ADD COLUMN seq INTEGER;
ALTER TABLE audit_log ADD COLUMN prev_hash TEXT;
ALTER TABLE audit_log ADD COLUMN hash TEXT;

-- The chain's head: writers update this one row first, which serialises them.
CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, 'nengji-audit-genesis');
