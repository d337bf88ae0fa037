-- Versions are reserved per batch instead of stamped per row. A writer takes the merchant's clock row lock,
-- reserves n versions with one clock update (patron_reserve_versions) and writes its rows with versions from
-- that range in set-based statements. Holding the lock from the reservation to COMMIT is what keeps the feed
-- gapless (docs/architecture.md#gapless-feed): commit order still equals version order.
--
-- The row trigger stays only as a guard: a row whose version was not set, or lies outside the range its own
-- transaction reserved for its merchant, is refused with an error, so a writer that forgot the reservation
-- (and with it the lock) fails loudly instead of opening a gap in the feed.

-- The range reserved so far by the current transaction, kept in a transaction-local setting as
-- '<merchant> <first> <last>'. Reservations of one transaction are contiguous (it holds the lock in between),
-- so a second reservation for the same merchant extends the range.
CREATE FUNCTION patron_reserve_versions(merchant uuid, n bigint) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  last_version bigint;
  reserved text[] := string_to_array(current_setting('patron.reserved_versions', true), ' ');
  first_version bigint;
BEGIN
  IF n IS NULL OR n < 1 THEN
    RAISE EXCEPTION 'reserve at least one version (asked for %)', n;
  END IF;
  UPDATE merchant_clock SET version = version + n WHERE merchant_id = merchant RETURNING version INTO last_version;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no clock row for merchant %', merchant;
  END IF;
  first_version := last_version - n + 1;
  IF cardinality(reserved) = 3 AND reserved[1] = merchant::text AND reserved[3]::bigint = first_version - 1 THEN
    PERFORM set_config('patron.reserved_versions', concat_ws(' ', merchant, reserved[2], last_version), true);
  ELSE
    PERFORM set_config('patron.reserved_versions', concat_ws(' ', merchant, first_version, last_version), true);
  END IF;
  RETURN first_version;
END
$$;

CREATE FUNCTION patron_guard_version() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  reserved text[] := string_to_array(current_setting('patron.reserved_versions', true), ' ');
BEGIN
  IF NEW.version IS NULL THEN
    RAISE EXCEPTION 'a row of % was written without a version', TG_TABLE_NAME;
  END IF;
  IF cardinality(reserved) IS DISTINCT FROM 3 OR reserved[1] <> NEW.merchant_id::text
     OR NEW.version < reserved[2]::bigint OR NEW.version > reserved[3]::bigint THEN
    RAISE EXCEPTION 'version % of a row of % is outside the versions its transaction reserved', NEW.version, TG_TABLE_NAME;
  END IF;
  NEW.written_at := now();
  RETURN NEW;
END
$$;

DROP TRIGGER customers_stamp ON customers;
DROP TRIGGER visits_stamp ON visits;
DROP TRIGGER loyalty_entries_stamp ON loyalty_entries;
DROP TRIGGER rewards_stamp ON rewards;
DROP TRIGGER settings_stamp ON settings;
DROP TRIGGER staff_stamp ON staff;
DROP TRIGGER inbox_stamp ON inbox;
DROP FUNCTION patron_stamp_version();

CREATE TRIGGER customers_version_guard BEFORE INSERT OR UPDATE ON customers FOR EACH ROW EXECUTE FUNCTION patron_guard_version();
CREATE TRIGGER visits_version_guard BEFORE INSERT OR UPDATE ON visits FOR EACH ROW EXECUTE FUNCTION patron_guard_version();
CREATE TRIGGER loyalty_entries_version_guard BEFORE INSERT OR UPDATE ON loyalty_entries FOR EACH ROW EXECUTE FUNCTION patron_guard_version();
CREATE TRIGGER rewards_version_guard BEFORE INSERT OR UPDATE ON rewards FOR EACH ROW EXECUTE FUNCTION patron_guard_version();
CREATE TRIGGER settings_version_guard BEFORE INSERT OR UPDATE ON settings FOR EACH ROW EXECUTE FUNCTION patron_guard_version();
CREATE TRIGGER staff_version_guard BEFORE INSERT OR UPDATE ON staff FOR EACH ROW EXECUTE FUNCTION patron_guard_version();
CREATE TRIGGER inbox_version_guard BEFORE INSERT OR UPDATE ON inbox FOR EACH ROW EXECUTE FUNCTION patron_guard_version();

-- A ledger push finds each customer's merge group in one statement (sync/balances.ts): the walk down from a
-- root follows `mergedInto`, which needs an index rather than a scan of the merchant's customers per step.
CREATE INDEX customers_by_merged_into ON customers (merchant_id, (doc->>'mergedInto')) WHERE doc->>'mergedInto' IS NOT NULL;
