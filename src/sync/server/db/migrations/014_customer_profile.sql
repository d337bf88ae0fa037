-- Customers gained the profile fields (second phone with its lookup keys, address, company, source,
-- preferred channel), the notes timeline and the per-channel consent history; the single `notes` text and
-- `marketingConsent` flag are gone (protocol 3, RxDB customers schema version 1). Every stored customer is
-- rewritten exactly as `upgradeCustomerV0` (src/sync/model/customer-profile.ts) does on the terminals: RxDB
-- migrates the terminal's assumed master states with that function, and any difference would be a false
-- conflict on the next push. Non-empty notes become the first timeline note and a `true` consent a granted
-- entry for e-mail and SMS, both stamped with the document's `updatedAt` and `updatedBy`, with ids derived
-- from the customer's id. Settings gained the tag catalogue (settings schema version 2, `upgradeSettingsV1`).
-- Each rewrite is an ordinary new version (a reserved one), so terminals that pull see the document they
-- already migrated.
DO $$
DECLARE
  row record;
BEGIN
  FOR row IN SELECT merchant_id, id FROM customers WHERE doc ? 'marketingConsent' ORDER BY merchant_id, id LOOP
    UPDATE customers
       SET doc = (doc - 'notes' - 'marketingConsent') || jsonb_build_object(
             'phone2', NULL, 'phone2Key', NULL, 'phone2Reversed', NULL,
             'address', '', 'company', '', 'source', NULL, 'preferredChannel', NULL,
             'timeline', CASE WHEN doc->>'notes' = '' THEN '[]'::jsonb ELSE jsonb_build_array(jsonb_build_object(
               'id', id || ':note', 'text', doc->'notes', 'at', doc->'updatedAt', 'by', doc->'updatedBy')) END,
             'consent', CASE WHEN (doc->'marketingConsent')::boolean THEN jsonb_build_array(
               jsonb_build_object('id', id || ':email', 'channel', 'email', 'state', 'granted', 'at', doc->'updatedAt', 'source', 'migrated', 'by', doc->'updatedBy'),
               jsonb_build_object('id', id || ':sms', 'channel', 'sms', 'state', 'granted', 'at', doc->'updatedAt', 'source', 'migrated', 'by', doc->'updatedBy'))
               ELSE '[]'::jsonb END),
           version = patron_reserve_versions(row.merchant_id, 1),
           written_by = 'server'
     WHERE merchant_id = row.merchant_id AND id = row.id;
  END LOOP;
  FOR row IN SELECT merchant_id, id FROM settings WHERE NOT (doc ? 'tagCatalogue') ORDER BY merchant_id, id LOOP
    UPDATE settings
       SET doc = doc || '{"tagCatalogue": []}'::jsonb,
           version = patron_reserve_versions(row.merchant_id, 1),
           written_by = 'server'
     WHERE merchant_id = row.merchant_id AND id = row.id;
  END LOOP;
END
$$;
