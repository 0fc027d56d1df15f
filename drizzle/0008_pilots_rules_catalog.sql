-- Pilots (issue 14): funds with their own rules, who may fund what, the corrected catalog, the
-- damage-class rule, and the invariants of item funding, ceilings and instalments.

-- Funds. BAZNAS manages zakat (UU 23/2011 Pasal 25–26: only to mustahik, by the eight asnaf) and
-- infak/sedekah (Pasal 28: as the giver designated). Other funders have one general fund.
INSERT INTO funds (code, funder_code, name, requires_mustahik, is_default, legal_basis, description) VALUES
  ('KEMENSOS', 'KEMENSOS', 'APBN Kementerian Sosial', false, true, 'APBN', 'Kemensos programme budget.'),
  ('BAZNAS_ZAKAT', 'BAZNAS', 'Dana zakat BAZNAS', true, true, 'UU 23/2011 Pasal 25–26', 'Zakat: only to mustahik (the eight asnaf), as verified by BAZNAS.'),
  ('BAZNAS_INFAK', 'BAZNAS', 'Dana infak/sedekah BAZNAS', false, false, 'UU 23/2011 Pasal 28', 'Infak and sedekah: distributed as the giver designated; may pay facilities for everyone.'),
  ('PEMDA', 'PEMDA', 'APBD', false, true, 'APBD', 'Regional government budget.'),
  ('CSR', 'CSR', 'Dana CSR', false, true, '', 'Company CSR programme.');
--> statement-breakpoint
-- Funders of the real pilots (sources in ../shared/DOMAIN.md: Desa Talaga, May 2025), and a funder for
-- items whose funder the published sources do not name (Talaga's repaired MCK and septic tanks).
INSERT INTO funders (code, name, kind, description) VALUES
  ('YPP_SCTV', 'Yayasan Pundi Amal Peduli Kasih (YPP) SCTV', 'FOUNDATION', 'Media foundation; funded 13 of the 22 RST houses in Desa Talaga.'),
  ('HUMAN_INITIATIVE', 'Human Initiative', 'NGO', 'Humanitarian NGO; toilets for 42 families in Desa Talaga.'),
  ('UNSTATED', 'Pendana tidak disebutkan', 'OTHER', 'The published sources do not name the funder; recorded as such rather than guessed.');
--> statement-breakpoint
INSERT INTO funds (code, funder_code, name, requires_mustahik, is_default, legal_basis, description) VALUES
  ('YPP_SCTV', 'YPP_SCTV', 'Dana YPP SCTV', false, true, '', ''),
  ('HUMAN_INITIATIVE', 'HUMAN_INITIATIVE', 'Dana Human Initiative', false, true, '', ''),
  ('UNSTATED', 'UNSTATED', 'Tidak disebutkan', false, true, '', 'Funder and fund not stated in the sources.');
--> statement-breakpoint
CREATE UNIQUE INDEX funds_code_funder ON funds (code, funder_code);
--> statement-breakpoint
-- A share's fund must belong to the share's funder.
ALTER TABLE package_item_funding ADD CONSTRAINT package_item_funding_fund_of_funder
  FOREIGN KEY (fund_code, funder_code) REFERENCES funds (code, funder_code);
--> statement-breakpoint
-- Catalog corrections (DOMAIN.md): PENA is "up to Rp6 juta" (a ceiling); RLHB Rp25 juta per unit is
-- a ceiling too (Eretan Kulon's houses cost ≈Rp20.4 juta, builders' wages only); Talaga's septic
-- tanks are not a CSR item in the sources.
UPDATE interventions SET max_unit_cost_idr = 6000000, cost_source = 'Kemensos: up to Rp6,000,000 per beneficiary (goods, not cash): a ceiling; the default is the ceiling' WHERE code = 'PENA';
--> statement-breakpoint
UPDATE interventions SET max_unit_cost_idr = 25000000, cost_source = 'BAZNAS: Rp25,000,000 per unit, paid in instalments (termin); a ceiling (Eretan Kulon 2025: Rp1.9 miliar for 93 houses, builders'' wages)' WHERE code = 'RLHB';
--> statement-breakpoint
UPDATE interventions SET funder_code = 'KEMENSOS', description = 'Communal septic tank. Desa Talaga built 25 (May 2025); the sources do not say who funded them.', quantity_unit = 'tank' WHERE code = 'SEPTIC_TANK';
--> statement-breakpoint
UPDATE interventions SET quantity_unit = 'block' WHERE code = 'MCK_KOMUNAL';
--> statement-breakpoint
UPDATE interventions SET quantity_unit = 'outlet' WHERE code = 'Z_MART';
--> statement-breakpoint
UPDATE interventions SET description = 'Accessible paths and ramps attached to a public building (existing or planned in the package).' WHERE code = 'JALUR_AKSESIBEL';
--> statement-breakpoint
INSERT INTO interventions (code, name_id, name_en, category, cluster, funder_code, target, unit_cost_idr, cost_is_assumption, cost_source, is_housing, serves, eligibility, description, quantity_unit) VALUES
  ('ZCORNER', 'ZCorner (sentra kuliner BAZNAS)', 'ZCorner culinary centre (BAZNAS)', 'COMMUNITY_FACILITY', NULL, 'BAZNAS', 'FACILITY',
   300000000, true, 'Assumption: BAZNAS does not publish a unit cost; demo value', false, 'EVERYONE', '{"all":[]}',
   'BAZNAS culinary centre for mustahik micro-businesses; built at Eretan Kulon (Jan 2025). Paid from infak/sedekah when it serves everyone.', NULL),
  ('PERBAIKAN_MCK', 'Perbaikan MCK', 'Toilet (MCK) repair', 'SANITATION', 'PERLINDUNGAN', 'KEMENSOS', 'FACILITY',
   5000000, true, 'Assumption: not published; demo value per toilet', false, 'SANITATION', '{"all":[]}',
   'Repair of existing toilets; Desa Talaga repaired 60 (sources do not name the funder).', 'toilet'),
  ('MCK_KELUARGA', 'Akses MCK untuk keluarga', 'Toilet access for a family', 'SANITATION', 'PERLINDUNGAN', 'KEMENSOS', 'HOUSEHOLD',
   3000000, true, 'Assumption: not published; demo value per family', false, NULL,
   '{"all":[{"fact":"hasOwnToilet","op":"eq","value":false,"label":"No own toilet"}]}',
   'A family without its own toilet gets one (or a place in a communal block). Desa Talaga: 82 families (42 Human Initiative, 40 Kemensos).', NULL),
  ('ATENSI_PERABOTAN', 'ATENSI perlengkapan rumah tangga', 'ATENSI household goods (basic needs)', 'SOCIAL_REHABILITATION', 'REHABILITASI', 'KEMENSOS', 'HOUSEHOLD',
   7455500, false, 'Desa Talaga (May 2025): Rp29,822,000 for 4 PPKS households; the default is that average', false, NULL,
   '{"all":[{"fact":"isRegistered","op":"eq","value":true,"label":"In the social registry (DTSEN)"}]}',
   'Household goods for PPKS (penerima pelayanan kesejahteraan sosial), an ATENSI basic-needs component.', NULL);
--> statement-breakpoint
-- Who may fund what: every intervention's own funder, plus the co-funders the pilots show and the
-- facility funders DOMAIN.md lists ("both" Kemensos and BAZNAS; regional governments and CSR).
INSERT INTO intervention_funders (intervention_code, funder_code) SELECT code, funder_code FROM interventions;
--> statement-breakpoint
INSERT INTO intervention_funders (intervention_code, funder_code)
SELECT iv.code, f.funder FROM interventions iv,
  LATERAL unnest(CASE
    WHEN iv.code = 'RST' THEN ARRAY['YPP_SCTV', 'PEMDA', 'CSR']
    WHEN iv.code = 'MCK_KELUARGA' THEN ARRAY['HUMAN_INITIATIVE', 'BAZNAS', 'PEMDA', 'CSR', 'YPP_SCTV']
    WHEN iv.code IN ('PERBAIKAN_MCK', 'SEPTIC_TANK') THEN ARRAY['UNSTATED', 'HUMAN_INITIATIVE', 'BAZNAS', 'PEMDA', 'CSR']
    WHEN iv.target = 'FACILITY' THEN ARRAY['KEMENSOS', 'BAZNAS', 'PEMDA', 'CSR']
    ELSE ARRAY[]::text[] END) AS f(funder)
ON CONFLICT DO NOTHING;
--> statement-breakpoint
-- Damage class from the PUPR component ratings. ASSUMPTION (marked in the source): PUPR rates nine
-- components on a four-level scale but we found no published formula from ratings to
-- ringan/sedang/berat; this rule weights the structure (columns, ring beam, roof frame) three
-- times, walls and roof cover twice, the rest once, and classes the weighted damage share by the
-- thresholds commonly used for building damage (below 30% ringan, 30–50% sedang, above 50% berat).
INSERT INTO damage_class_rules (code, name, source, rule, is_active) VALUES
  ('PUPR_WEIGHTED', 'PUPR ratings, weighted damage share',
   'Assumption modelled on the PUPR house survey (nine components, LAYAK … KURANG_LAYAK); weights and thresholds are ours, editable as data.',
   '{"scores":{"LAYAK":0,"MENUJU_LAYAK":1,"AGAK_LAYAK":2,"KURANG_LAYAK":3},"weights":{"COLUMNS":3,"RING_BEAM":3,"ROOF_FRAME":3,"WALLS":2,"ROOF_COVER":2,"FLOOR":1,"WINDOWS":1,"VENTILATION":1,"CEILING":1},"sedangFrom":0.3,"beratFrom":0.5}',
   true);
--> statement-breakpoint
-- RST follows its source (DOMAIN.md: heavy damage, no proper sanitation, floor < 7.2 m² per person,
-- in the registry, owns the land, no earlier aid). Heavy or moderate damage from the assessment is
-- the housing criterion; before any assessment the registry's structural RTLH findings stand in
-- (ASSUMPTION: screening until assessed). Missing electricity or unprotected water alone no longer
-- qualify. RLHB: desil 1–2 is BAZNAS's PRIORITY (DOMAIN.md, "BAZNAS house rebuilding prioritises
-- desil 1–2"), not a condition; mustahik comes from the zakat fund.
UPDATE interventions SET version = version + 1, updated_at = now(), eligibility =
 '{"all":[{"fact":"isRegistered","op":"eq","value":true,"label":"In the social registry (DTSEN)"},{"any":[{"fact":"damageClass","op":"in","value":["SEDANG","BERAT"],"label":"Moderate or heavy damage (assessment)"},{"all":[{"fact":"damageClass","op":"isNull","label":"Not assessed yet"},{"fact":"rtlhReasons","op":"overlaps","value":["FLOOR_MATERIAL","WALL_MATERIAL","ROOF_MATERIAL","NO_OWN_TOILET","FLOOR_AREA_PER_PERSON"],"label":"Registry: poor structure, no toilet or < 7.2 m² per person (screening until assessed; assumption)"}]}]},{"fact":"landOwnership","op":"in","value":["OWNED_CERTIFIED","OWNED_UNCERTIFIED"],"label":"Owns the land"},{"fact":"hadHousingAid","op":"eq","value":false,"label":"No earlier government housing aid"}]}'
 WHERE code = 'RST';
--> statement-breakpoint
UPDATE interventions SET version = version + 1, updated_at = now(), eligibility =
 '{"all":[{"any":[{"fact":"damageClass","op":"in","value":["SEDANG","BERAT"],"label":"Moderate or heavy damage (assessment)"},{"all":[{"fact":"damageClass","op":"isNull","label":"Not assessed yet"},{"fact":"isRtlh","op":"eq","value":true,"label":"House is RTLH under the active rule (screening until assessed; assumption)"}]}]}]}',
 priority = '{"fact":"desil","op":"lte","value":2,"label":"Desil 1–2 (BAZNAS priority)"}',
 description = 'House rebuilding for mustahik; BAZNAS prioritises desil 1–2.'
 WHERE code = 'RLHB';
--> statement-breakpoint
-- The fund an item is paid from when it names none: the funder's default fund, except that an item
-- without a household (a facility) takes the funder's first fund that is not restricted to mustahik.
CREATE OR REPLACE FUNCTION default_fund(funder text, for_household boolean) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT code FROM funds WHERE funder_code = funder
  ORDER BY (NOT for_household AND requires_mustahik), NOT is_default, code LIMIT 1
$$;
--> statement-breakpoint
-- Every item starts with one share: its funder pays all of it. Co-funding replaces the shares in
-- the same transaction; the deferred check below holds at commit.
CREATE OR REPLACE FUNCTION package_items_default_funding() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO package_item_funding (item_id, funder_code, fund_code, amount_idr)
    VALUES (NEW.id, NEW.funder_code, default_fund(NEW.funder_code, NEW.household_id IS NOT NULL), NEW.cost_idr);
  ELSIF NEW.cost_idr <> OLD.cost_idr AND (SELECT count(*) FROM package_item_funding WHERE item_id = NEW.id) = 1 THEN
    UPDATE package_item_funding SET amount_idr = NEW.cost_idr WHERE item_id = NEW.id;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER package_items_default_funding AFTER INSERT OR UPDATE OF cost_idr ON package_items
  FOR EACH ROW EXECUTE FUNCTION package_items_default_funding();
--> statement-breakpoint
-- At commit: the shares of an item sum to its cost, and money restricted to mustahik (zakat) never
-- pays an item without a household (a facility serves everyone, not only mustahik).
CREATE OR REPLACE FUNCTION package_item_funding_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  -- Fired from both tables (and on DELETE, where NEW is null): read the item id through jsonb.
  item_id_ integer := (coalesce(to_jsonb(NEW), to_jsonb(OLD)) ->> CASE WHEN TG_TABLE_NAME = 'package_items' THEN 'id' ELSE 'item_id' END)::int;
  cost bigint;
  household integer;
  shares bigint;
  zakat text;
BEGIN
  SELECT cost_idr, household_id INTO cost, household FROM package_items WHERE id = item_id_;
  IF NOT FOUND THEN RETURN NULL; END IF;
  SELECT coalesce(sum(amount_idr), 0) INTO shares FROM package_item_funding WHERE item_id = item_id_;
  IF shares <> cost THEN
    RAISE EXCEPTION 'package item %: funding shares sum to % but the item costs %', item_id_, shares, cost
      USING ERRCODE = 'check_violation', CONSTRAINT = 'package_item_funding_sum';
  END IF;
  IF household IS NULL THEN
    SELECT f.fund_code INTO zakat FROM package_item_funding f JOIN funds d ON d.code = f.fund_code
      WHERE f.item_id = item_id_ AND d.requires_mustahik LIMIT 1;
    IF zakat IS NOT NULL THEN
      RAISE EXCEPTION 'package item %: fund % may pay only mustahik households, not a facility', item_id_, zakat
        USING ERRCODE = 'check_violation', CONSTRAINT = 'package_item_funding_mustahik';
    END IF;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER package_item_funding_sum AFTER INSERT OR UPDATE OR DELETE ON package_item_funding
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION package_item_funding_check();
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER package_items_funding_sum AFTER INSERT OR UPDATE OF cost_idr ON package_items
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION package_item_funding_check();
--> statement-breakpoint
-- The intervention's ceiling (PENA up to Rp6 juta) holds for every item, whatever path wrote it.
CREATE OR REPLACE FUNCTION package_items_ceiling() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  ceiling bigint;
BEGIN
  SELECT max_unit_cost_idr INTO ceiling FROM interventions WHERE code = NEW.intervention_code;
  IF ceiling IS NOT NULL AND NEW.unit_cost_idr > ceiling THEN
    RAISE EXCEPTION 'package item: % costs % per unit, above its ceiling %', NEW.intervention_code, NEW.unit_cost_idr, ceiling
      USING ERRCODE = 'check_violation', CONSTRAINT = 'package_items_ceiling';
  END IF;
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE TRIGGER package_items_ceiling BEFORE INSERT OR UPDATE OF unit_cost_idr, intervention_code ON package_items
  FOR EACH ROW EXECUTE FUNCTION package_items_ceiling();
--> statement-breakpoint
-- Instalments (termin) never add up to more than the item costs.
CREATE OR REPLACE FUNCTION package_item_instalments_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  cost bigint;
  paid bigint;
BEGIN
  SELECT cost_idr INTO cost FROM package_items WHERE id = NEW.item_id;
  SELECT sum(amount_idr) INTO paid FROM package_item_instalments WHERE item_id = NEW.item_id;
  IF paid > cost THEN
    RAISE EXCEPTION 'package item %: instalments sum to %, more than its cost %', NEW.item_id, paid, cost
      USING ERRCODE = 'check_violation', CONSTRAINT = 'package_item_instalments_sum';
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER package_item_instalments_sum AFTER INSERT OR UPDATE ON package_item_instalments
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION package_item_instalments_check();
--> statement-breakpoint
-- The funder's newest verification decides a household's mustahik status.
CREATE OR REPLACE FUNCTION mustahik_verifications_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE households h SET is_mustahik = v.is_mustahik, updated_at = now()
  FROM (SELECT DISTINCT ON (household_id) household_id, is_mustahik FROM mustahik_verifications
        WHERE household_id IN (SELECT household_id FROM new_rows) ORDER BY household_id, verified_on DESC, id DESC) v
  WHERE h.id = v.household_id AND h.is_mustahik IS DISTINCT FROM v.is_mustahik;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER mustahik_verifications_apply AFTER INSERT ON mustahik_verifications REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION mustahik_verifications_apply();
--> statement-breakpoint
-- Items that existed before funding shares: their funder pays all of it.
INSERT INTO package_item_funding (item_id, funder_code, fund_code, amount_idr)
SELECT id, funder_code, default_fund(funder_code, household_id IS NOT NULL), cost_idr FROM package_items;
