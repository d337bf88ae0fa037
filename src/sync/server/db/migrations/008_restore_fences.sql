-- Where a restore put each feed's horizon (docs/protocol.md §3): a checkpoint below it was handed out by
-- history the restored database no longer has, so the terminal must not take "absent on the server" for
-- "deleted" — the 410 says `reason: restored` for it, and `purged` for a checkpoint only tombstones outran.
ALTER TABLE feed_horizons ADD COLUMN restored_version bigint;
