-- Issue 13: no new package item stands at a household that a FULL registry snapshot no longer lists
-- (households.inactive_since, migration 0013). Such a household is out of every list, count and
-- proposal; an item added for it would be paid for a household the registry says is gone. The
-- service checks first and names the argument (item.householdId); this is the backstop for every
-- other writer and for a snapshot committed while the item is being added.
--
-- FOR SHARE on the household row: the snapshot's UPDATE (SET inactive_since) takes a row lock that
-- conflicts with it, so an insert racing a snapshot either waits for the snapshot to commit and
-- then sees inactive_since (READ COMMITTED re-reads the locked row), or commits first, when the
-- household was still active, and the snapshot waits for it. Items already standing at a household
-- that later becomes inactive stay (packages and their history refer to them); only a new item, or
-- an item moved to another household, is checked. Refused with SQLSTATE KT409 (CONFLICT in the API)
-- and COLUMN household_id, which the API names as the argument householdId.
CREATE OR REPLACE FUNCTION package_items_active_household() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  since date;
BEGIN
  IF NEW.household_id IS NULL OR (TG_OP = 'UPDATE' AND NEW.household_id IS NOT DISTINCT FROM OLD.household_id) THEN
    RETURN NEW;
  END IF;
  SELECT h.inactive_since INTO since FROM households h WHERE h.id = NEW.household_id FOR SHARE;
  IF since IS NOT NULL THEN
    RAISE EXCEPTION USING ERRCODE = 'KT409', COLUMN = 'household_id', MESSAGE = format(
      'household %s is no longer in the registry (a full snapshot left it out; inactive since %s): no new package items for it.',
      NEW.household_id, since);
  END IF;
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE TRIGGER package_items_active_household BEFORE INSERT OR UPDATE OF household_id ON package_items
  FOR EACH ROW EXECUTE FUNCTION package_items_active_household();
