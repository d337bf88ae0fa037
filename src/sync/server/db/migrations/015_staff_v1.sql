-- Staff gained `updatedBy` and the member's signing key (`publicKey`, `sealedKey`) in the document (protocol
-- 3, RxDB staff schema version 1), so an owner's terminal can add a member or set a PIN with a new key. Every
-- stored staff document gets the three as null here, exactly as the terminal's RxDB migration
-- (`upgradeStaffV0` in src/sync/model/rx-schemas.ts) fills them in; the keys of these members stay in
-- staff_keys (GET /v1/staff-keys). Each rewrite is an ordinary new version under the merchant's clock.
DO $$
DECLARE
  row record;
BEGIN
  FOR row IN SELECT merchant_id, id FROM staff WHERE NOT (doc ? 'publicKey') ORDER BY merchant_id, id LOOP
    UPDATE staff
       SET doc = doc || '{"updatedBy": null, "publicKey": null, "sealedKey": null}'::jsonb,
           version = patron_reserve_versions(row.merchant_id, 1),
           written_by = 'server'
     WHERE merchant_id = row.merchant_id AND id = row.id;
  END LOOP;
END
$$;
