-- Rewards gained a type, a free item's name, a percentage and a per-customer cap (protocol 3, RxDB rewards
-- schema version 1); the programme gained tier perks and a birthday reward (RxDB settings schema version 2).
-- Every stored document gets them here exactly as the terminal's RxDB migrations fill them in
-- (`upgradeRewardV0` in src/sync/model/reward.ts, `upgradeSettingsV0` in src/sync/model/settings.ts): a reward
-- with a face value takes money off, one without hands over the thing it names; no tier has perks, no birthday
-- reward. RxDB migrates the terminal's assumed master states with the same functions, so the two must agree or
-- its next push would meet a false conflict. Each rewrite is an ordinary new version under the merchant's clock.
DO $$
DECLARE
  row record;
BEGIN
  FOR row IN SELECT merchant_id, id FROM rewards WHERE NOT (doc ? 'type') ORDER BY merchant_id, id LOOP
    UPDATE rewards
       SET doc = doc || jsonb_build_object(
             'type', CASE WHEN (doc->>'value')::bigint > 0 THEN 'amountOff' ELSE 'freeItem' END,
             'itemName', CASE WHEN (doc->>'value')::bigint > 0 THEN '' ELSE doc->>'name' END,
             'percent', 0,
             'cap', 'null'::jsonb),
           version = patron_reserve_versions(row.merchant_id, 1),
           written_by = 'server'
     WHERE merchant_id = row.merchant_id AND id = row.id;
  END LOOP;
  FOR row IN SELECT merchant_id, id FROM settings WHERE NOT (doc->'program' ? 'birthdayRewardId') ORDER BY merchant_id, id LOOP
    UPDATE settings
       SET doc = jsonb_set(
             doc,
             '{program}',
             (doc->'program')
               || jsonb_build_object(
                    'birthdayRewardId', 'null'::jsonb,
                    'tiers', (SELECT COALESCE(jsonb_agg(CASE WHEN t ? 'perks' THEN t ELSE t || '{"perks": []}'::jsonb END ORDER BY n), '[]'::jsonb)
                                FROM jsonb_array_elements(doc->'program'->'tiers') WITH ORDINALITY AS e(t, n)))),
           version = patron_reserve_versions(row.merchant_id, 1),
           written_by = 'server'
     WHERE merchant_id = row.merchant_id AND id = row.id;
  END LOOP;
END
$$;
