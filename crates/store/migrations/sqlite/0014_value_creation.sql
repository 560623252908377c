-- Who first set a value, when and through what, on the value's own row: a new value no longer
-- needs a history row of its own (none → x), which was half of what a file import wrote. The
-- history keeps every change of an existing value, and a value created on a report approved
-- before (the list of changes after approval reads it). NULL = created before this migration
-- (its creation is in the history) or loaded as 示例数据.
ALTER TABLE observation ADD COLUMN created_by TEXT;
ALTER TABLE observation ADD COLUMN created_at TEXT;
ALTER TABLE observation ADD COLUMN created_via TEXT;

-- Reads by month are of approved values (the monitoring pages, bulletins, evaluations); other
-- reads go by zone through the primary key. An index of approved values only, instead of one
-- of every value by month and one by status and month: a reported draft value enters no
-- secondary index (a file import wrote three B-trees per value for two), and approving it
-- adds the one entry the reads use.
DROP INDEX observation_period;
DROP INDEX observation_status_period;
CREATE INDEX observation_approved_period ON observation(period) WHERE status = 'approved';
