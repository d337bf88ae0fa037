-- Per merchant and collection, the feed's horizon: no checkpoint below it can be resumed. Purging old
-- tombstones raises it to the highest purged version (a terminal further behind may have missed a delete);
-- a restore raises it above every version the lost history could have handed out. A pull from a checkpoint
-- below the horizon answers 410 CHECKPOINT_TOO_OLD and the terminal resyncs in full (docs/protocol.md §3).
CREATE TABLE feed_horizons (
  merchant_id uuid NOT NULL REFERENCES merchants (merchant_id) ON DELETE CASCADE,
  collection  text NOT NULL,
  version     bigint NOT NULL,
  PRIMARY KEY (merchant_id, collection)
);
