-- Indexes for the monitoring pages' reads at national scale (bench/monitor-load.sh):
-- the latest approved month (MAX(period) WHERE status = 'approved') is one index seek, the
-- figures of one month for every zone read only that month's rows, and "is any shown value
-- 示例数据" looks at the (small) demo rows only.
CREATE INDEX observation_status_period ON observation(status, period);
CREATE INDEX observation_demo_period ON observation(period) WHERE is_demo = TRUE;
