-- PostgreSQL only (the history's key gains zone_id, the distribution key of the value tables);
-- SQLite databases stay on one machine, so there is nothing to change here.
SELECT 1;
