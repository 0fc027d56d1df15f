-- Issue 15 (execution): the rules the database keeps even if a code path forgets them.

-- Progress dates: never before the package was created (its UTC date), never after today in the
-- easternmost Indonesian time zone (WIT, UTC+9), so no day that is valid somewhere in Indonesia is
-- refused. The service checks first and names the argument; this is the backstop.
CREATE OR REPLACE FUNCTION execution_progress_date_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  created date;
  day date;
BEGIN
  IF TG_TABLE_NAME = 'item_progress_records' THEN
    day := NEW.on_date;
    SELECT (p.created_at AT TIME ZONE 'UTC')::date INTO created FROM package_items i JOIN packages p ON p.id = i.package_id WHERE i.id = NEW.item_id;
  ELSE
    day := greatest(NEW.started_on, NEW.done_on);
    IF day IS NULL THEN RETURN NEW; END IF;
    day := coalesce(least(NEW.started_on, NEW.done_on), day);
    SELECT (p.created_at AT TIME ZONE 'UTC')::date INTO created FROM packages p WHERE p.id = NEW.package_id;
    IF greatest(NEW.started_on, NEW.done_on) > (now() AT TIME ZONE 'Asia/Jayapura')::date THEN
      RAISE EXCEPTION 'on: progress dated % lies in the future', greatest(NEW.started_on, NEW.done_on) USING ERRCODE = 'KT409';
    END IF;
  END IF;
  IF day < created THEN
    RAISE EXCEPTION 'on: progress dated % precedes the package, created on %', day, created USING ERRCODE = 'KT409';
  END IF;
  IF day > (now() AT TIME ZONE 'Asia/Jayapura')::date THEN
    RAISE EXCEPTION 'on: progress dated % lies in the future', day USING ERRCODE = 'KT409';
  END IF;
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER item_progress_records_date BEFORE INSERT OR UPDATE ON item_progress_records
  FOR EACH ROW EXECUTE FUNCTION execution_progress_date_check();
--> statement-breakpoint
CREATE TRIGGER package_items_progress_date BEFORE UPDATE OF started_on, done_on ON package_items
  FOR EACH ROW WHEN (NEW.started_on IS DISTINCT FROM OLD.started_on OR NEW.done_on IS DISTINCT FROM OLD.done_on)
  EXECUTE FUNCTION execution_progress_date_check();
--> statement-breakpoint
-- Four eyes: the drafter is taken from the package itself, so a caller cannot name someone else.
CREATE OR REPLACE FUNCTION execution_approval_drafter() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  SELECT created_by INTO NEW.drafted_by FROM packages WHERE id = NEW.package_id;
  IF NEW.drafted_by = NEW.approved_by THEN
    RAISE EXCEPTION 'approval: % drafted package % and cannot approve it too; a second person must', NEW.approved_by, NEW.package_id USING ERRCODE = 'KT409';
  END IF;
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER package_approvals_drafter BEFORE INSERT ON package_approvals
  FOR EACH ROW EXECUTE FUNCTION execution_approval_drafter();
--> statement-breakpoint
-- A housing item is DONE only with its post-works verification.
CREATE OR REPLACE FUNCTION execution_housing_done_check() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.progress = 'DONE' AND OLD.progress IS DISTINCT FROM 'DONE'
     AND EXISTS (SELECT 1 FROM interventions iv WHERE iv.code = NEW.intervention_code AND iv.category = 'HOUSING')
     AND NOT EXISTS (SELECT 1 FROM post_works_verifications v WHERE v.item_id = NEW.id) THEN
    RAISE EXCEPTION 'progress: housing item % is DONE only after its post-works verification (verifyHousingItem)', NEW.id USING ERRCODE = 'KT409';
  END IF;
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER package_items_housing_done BEFORE UPDATE OF progress ON package_items
  FOR EACH ROW EXECUTE FUNCTION execution_housing_done_check();
