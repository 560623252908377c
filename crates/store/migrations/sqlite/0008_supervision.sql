-- Plan ledger and supervision (任务分解与督办), SQLite. Keep in step with ../postgres/0008_supervision.sql.

-- The office's rules (JSON under 'rules') and the row every supervision write locks first,
-- so sweeps and reports never interleave.
CREATE TABLE sv_setting (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
INSERT INTO sv_setting (key, value) VALUES ('lock', '0');

-- An adopted plan; a revision is adopted onto the same plan.
CREATE TABLE sv_plan (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT NOT NULL,
    revision   INTEGER NOT NULL,
    draft_id   INTEGER,
    adopted_by TEXT NOT NULL,
    adopted_at TEXT NOT NULL
);

-- A parsed plan under review: the source text and the editable ledger (JSON).
CREATE TABLE sv_draft (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id    INTEGER REFERENCES sv_plan(id),
    name       TEXT NOT NULL,
    source     TEXT NOT NULL,
    ledger     TEXT NOT NULL,
    warnings   TEXT NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('draft','adopted','discarded')),
    version    INTEGER NOT NULL DEFAULT 1,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- A task of an adopted plan. Units as written are JSON lists; sv_task_unit has them resolved.
CREATE TABLE sv_task (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id         INTEGER NOT NULL REFERENCES sv_plan(id),
    key             TEXT NOT NULL,
    seq             INTEGER NOT NULL,
    path            TEXT NOT NULL,
    title           TEXT NOT NULL,
    body            TEXT NOT NULL,
    lead            TEXT NOT NULL,
    responsible     TEXT NOT NULL,
    cooperating     TEXT NOT NULL,
    fields          TEXT NOT NULL,
    deadline_text   TEXT NOT NULL DEFAULT '',
    deadline        TEXT,
    starts_on       TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('open','closing','closed','withdrawn')),
    manual_light    TEXT CHECK (manual_light IN ('green','yellow','red')),
    manual_reason   TEXT,
    rating          TEXT,
    closing_comment TEXT,
    closed_on       TEXT,
    closed_by       TEXT,
    version         INTEGER NOT NULL DEFAULT 1,
    UNIQUE (plan_id, key)
);

CREATE TABLE sv_task_unit (
    task_id INTEGER NOT NULL REFERENCES sv_task(id) ON DELETE CASCADE,
    unit_id INTEGER NOT NULL REFERENCES unit(id),
    role    TEXT NOT NULL CHECK (role IN ('lead','responsible','cooperating')),
    PRIMARY KEY (task_id, unit_id, role)
);
CREATE INDEX sv_task_unit_unit ON sv_task_unit(unit_id);

CREATE TABLE sv_milestone (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    task_id    INTEGER NOT NULL REFERENCES sv_task(id) ON DELETE CASCADE,
    title      TEXT NOT NULL,
    due_on     TEXT NOT NULL,
    reached_on TEXT,
    reached_by TEXT,
    removed    INTEGER NOT NULL DEFAULT 0
);

-- A progress report of a unit (unit_id NULL: entered by the office, e.g. from the 任务分解表).
CREATE TABLE sv_report (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    task_id       INTEGER NOT NULL REFERENCES sv_task(id),
    unit_id       INTEGER REFERENCES unit(id),
    body          TEXT NOT NULL,
    milestone_id  INTEGER REFERENCES sv_milestone(id),
    request_close INTEGER NOT NULL DEFAULT 0,
    source        TEXT NOT NULL,
    reported_on   TEXT NOT NULL,
    created_by    TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    file_name     TEXT,
    file_type     TEXT,
    file_data     BLOB
);
CREATE INDEX sv_report_task ON sv_report(task_id);

-- 催办: to one unit, by a channel; its read receipt and reply; escalated when unanswered.
CREATE TABLE sv_urge (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    task_id      INTEGER NOT NULL REFERENCES sv_task(id),
    unit_id      INTEGER NOT NULL REFERENCES unit(id),
    channel      TEXT NOT NULL CHECK (channel IN ('system','phone','sms','document','meeting')),
    message      TEXT NOT NULL,
    sent_on      TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    read_at      TEXT,
    read_by      TEXT,
    reply        TEXT,
    replied_at   TEXT,
    replied_by   TEXT,
    escalated_on TEXT
);
CREATE INDEX sv_urge_task ON sv_urge(task_id);

-- Escalation to the leader, and the leader's instruction (批示).
CREATE TABLE sv_escalation (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    task_id       INTEGER NOT NULL REFERENCES sv_task(id),
    urge_id       INTEGER REFERENCES sv_urge(id),
    unit_id       INTEGER REFERENCES unit(id),
    reason        TEXT NOT NULL,
    raised_on     TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    instruction   TEXT,
    instructed_by TEXT,
    instructed_at TEXT
);

-- Due-soon / overdue alerts per task, unit and thing due; repeated until answered.
CREATE TABLE sv_alert (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    task_id     INTEGER NOT NULL REFERENCES sv_task(id),
    unit_id     INTEGER NOT NULL REFERENCES unit(id),
    kind        TEXT NOT NULL CHECK (kind IN ('due_soon','overdue')),
    subject     TEXT NOT NULL,
    message     TEXT NOT NULL,
    first_on    TEXT NOT NULL,
    last_on     TEXT NOT NULL,
    times       INTEGER NOT NULL,
    answered_at TEXT,
    resolved_on TEXT
);
CREATE INDEX sv_alert_task ON sv_alert(task_id, unit_id);

-- Every light a task has had: automatic changes found by the sweep, and the office's manual ones.
CREATE TABLE sv_light (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    task_id INTEGER NOT NULL REFERENCES sv_task(id),
    light   TEXT NOT NULL CHECK (light IN ('green','yellow','red')),
    manual  INTEGER NOT NULL,
    reason  TEXT NOT NULL,
    on_date TEXT NOT NULL,
    at      TEXT NOT NULL,
    by_name TEXT NOT NULL
);
CREATE INDEX sv_light_task ON sv_light(task_id);

-- A task's history in words (the audit log has the same writes as data).
CREATE TABLE sv_event (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    task_id INTEGER NOT NULL REFERENCES sv_task(id),
    at      TEXT NOT NULL,
    actor   TEXT NOT NULL,
    kind    TEXT NOT NULL,
    summary TEXT NOT NULL
);
CREATE INDEX sv_event_task ON sv_event(task_id);

CREATE TABLE sv_target (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id        INTEGER NOT NULL REFERENCES sv_plan(id),
    key            TEXT NOT NULL,
    path           TEXT NOT NULL,
    text           TEXT NOT NULL,
    year           INTEGER,
    indicator      TEXT NOT NULL,
    indicator_code TEXT,
    value          REAL NOT NULL,
    unit           TEXT NOT NULL,
    comparator     TEXT NOT NULL,
    per_year       INTEGER NOT NULL,
    task_key       TEXT,
    status         TEXT NOT NULL CHECK (status IN ('active','withdrawn')),
    UNIQUE (plan_id, key)
);

-- 任务分解表 uploads: a dry run stages the checked rows; the commit applies them whole.
CREATE TABLE sv_import (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    at            TEXT NOT NULL,
    actor         TEXT NOT NULL,
    plan_id       INTEGER NOT NULL REFERENCES sv_plan(id),
    file_name     TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('staged','committed','rejected')),
    row_count     INTEGER NOT NULL,
    problem_count INTEGER NOT NULL,
    message       TEXT NOT NULL,
    payload       TEXT
);
