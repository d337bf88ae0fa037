-- Each terminal's number within its merchant (member codes, docs/directory.md): 1, 2, 3 … in enrolment order,
-- never reused (terminal rows are revoked, never deleted). A terminal writes it into the member codes it
-- assigns offline, so two terminals' codes can never meet. Numbered by a trigger, so every way of adding a
-- terminal gets one; the merchant row is locked first, so two enrolments at once take two numbers.
ALTER TABLE terminals ADD COLUMN number integer;

UPDATE terminals SET number = numbered.n
  FROM (SELECT terminal_id, row_number() OVER (PARTITION BY merchant_id ORDER BY created_at, terminal_id) AS n FROM terminals) AS numbered
 WHERE terminals.terminal_id = numbered.terminal_id;

CREATE FUNCTION patron_number_terminal() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM merchants WHERE merchant_id = NEW.merchant_id FOR UPDATE;
  NEW.number := (SELECT coalesce(max(number), 0) + 1 FROM terminals WHERE merchant_id = NEW.merchant_id);
  RETURN NEW;
END $$;
CREATE TRIGGER terminals_number BEFORE INSERT ON terminals FOR EACH ROW EXECUTE FUNCTION patron_number_terminal();

ALTER TABLE terminals ALTER COLUMN number SET NOT NULL;
CREATE UNIQUE INDEX terminals_by_number ON terminals (merchant_id, number);
