ALTER TABLE "interventions" ADD CONSTRAINT "interventions_cost_bounded" CHECK ("interventions"."unit_cost_idr" <= 1000000000000);--> statement-breakpoint
ALTER TABLE "package_budgets" ADD CONSTRAINT "package_budgets_bounded" CHECK ("package_budgets"."budget_idr" <= 1000000000000000);--> statement-breakpoint
ALTER TABLE "package_items" ADD CONSTRAINT "package_items_cost_bounded" CHECK ("package_items"."cost_idr" <= 1000000000000000);--> statement-breakpoint
-- Invariants that concurrent requests could break if the application checked them by reading
-- and then writing (two transactions both read "no house yet", both insert). The database holds
-- them; the application's own checks stay only to give the friendlier error first.
--
-- One housing intervention per household across packages that are not CANCELLED. Not a unique
-- index: "not cancelled" lives in packages.status and "housing" in interventions.is_housing, so
-- no index on package_items alone can express it (and CANCELLED, which frees the household, is
-- final, so the rule never needs re-checking on a status change). Instead a transaction-scoped
-- advisory lock on the household serialises housing inserts for that household; the check runs
-- after the lock, in a fresh snapshot (READ COMMITTED, volatile function), so it sees the other
-- transaction's committed item. Refusals use SQLSTATE KT409, which the API maps to CONFLICT.
--
-- Package totals: every sum a read makes (totalCostIdr, allocatedIdr) must stay below 2^53 so it
-- is exact as a JS number and a GraphQL SafeInt. Items of one package are serialised by the
-- package version bump (a row lock), so the sum checked here cannot race.
CREATE OR REPLACE FUNCTION package_items_invariants() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  other record;
  total numeric;
BEGIN
  IF NEW.household_id IS NOT NULL AND (SELECT is_housing FROM interventions WHERE code = NEW.intervention_code) THEN
    PERFORM pg_advisory_xact_lock(7102025, NEW.household_id);
    SELECT i.intervention_code, i.package_id INTO other
      FROM package_items i
      JOIN packages p ON p.id = i.package_id
      JOIN interventions iv ON iv.code = i.intervention_code
     WHERE i.household_id = NEW.household_id AND iv.is_housing AND p.status <> 'CANCELLED' AND i.id IS DISTINCT FROM NEW.id
     LIMIT 1;
    IF FOUND THEN
      RAISE EXCEPTION USING ERRCODE = 'KT409', MESSAGE = format(
        'household %s already has a housing intervention (%s in package %s); at most one per household.',
        NEW.household_id, other.intervention_code, other.package_id);
    END IF;
  END IF;
  SELECT coalesce(sum(i.cost_idr::numeric), 0) + NEW.cost_idr INTO total
    FROM package_items i WHERE i.package_id = NEW.package_id AND i.id IS DISTINCT FROM NEW.id;
  IF total > 1000000000000000 THEN
    RAISE EXCEPTION USING ERRCODE = 'KT409', MESSAGE = format(
      'package %s would cost Rp%s in total; the limit is Rp1,000,000,000,000,000 per package.', NEW.package_id, total);
  END IF;
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE TRIGGER package_items_invariants BEFORE INSERT OR UPDATE OF household_id, intervention_code, cost_idr, package_id ON package_items
  FOR EACH ROW EXECUTE FUNCTION package_items_invariants();
