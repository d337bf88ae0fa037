-- Settings gained `currencyDisplay` and the programme's `managerAdjustLimit` and `voidApprovalAgeDays`
-- (protocol 2, RxDB settings schema version 1). Every stored settings document gets them here, exactly as the
-- terminal's RxDB migration (`upgradeSettingsV0` in src/sync/model/settings.ts) fills them in: rial, ten times
-- the cashier's limit but at least 10,000 (the limit the code applied until now), 30 days. RxDB migrates the
-- terminal's assumed master state with the same function, so the two must agree or its next push would meet
-- a false conflict. Each rewrite is an ordinary new version (a reserved one, under the merchant's clock lock),
-- so terminals that pull see the same document they already migrated.
DO $$
DECLARE
  row record;
BEGIN
  FOR row IN SELECT merchant_id, id FROM settings WHERE NOT (doc ? 'currencyDisplay') ORDER BY merchant_id, id LOOP
    UPDATE settings
       SET doc = jsonb_set(
             doc || '{"currencyDisplay": "rial"}'::jsonb,
             '{program}',
             (doc->'program')
               || jsonb_build_object(
                    'managerAdjustLimit', GREATEST((doc->'program'->>'cashierAdjustLimit')::bigint * 10, 10000),
                    'voidApprovalAgeDays', 30)),
           version = patron_reserve_versions(row.merchant_id, 1),
           written_by = 'server'
     WHERE merchant_id = row.merchant_id AND id = row.id;
  END LOOP;
END
$$;
