-- A new sign-up is checked against the customers whose second phone is its phone (sync/shared-phones.ts):
-- that read goes by this index instead of every customer of the merchant.
CREATE INDEX customers_by_phone2 ON customers (merchant_id, (doc->>'phone2')) WHERE NOT deleted AND doc->>'phone2' IS NOT NULL;
