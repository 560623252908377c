-- Every unique key of the value tables includes zone_id, the distribution key they would be
-- sharded on across machines (Citus `create_distributed_table(..., 'zone_id')`; the master data
-- tables become reference tables). observation and submission already had it; the history's
-- identity key gains it.
ALTER TABLE observation_history DROP CONSTRAINT observation_history_pkey;
ALTER TABLE observation_history ADD PRIMARY KEY (zone_id, id);
