-- The KPM lifecycle's invariants and reference data (see docs/graduation.md):
--   * status transitions of graduations and referrals, enforced by triggers so no write path can skip a step;
--   * approving a graduation ends the household's open program memberships; a return to assistance
--     reopens them as new rows (history stays);
--   * program_memberships.graduation_id → graduations (declared here: the tables reference each other);
--   * the social programs, receiving programs (terminasi) and graduation criteria as data.
ALTER TABLE program_memberships ADD CONSTRAINT program_memberships_graduation_fk FOREIGN KEY (graduation_id) REFERENCES graduations(id) ON DELETE SET NULL;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION graduations_check_transition() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status = OLD.status OR (OLD.status = 'PROPOSED' AND NEW.status IN ('APPROVED', 'REJECTED')) OR (OLD.status = 'APPROVED' AND NEW.status = 'RETURNED') THEN
    IF NEW.household_id <> OLD.household_id OR NEW.proposed_by <> OLD.proposed_by THEN
      RAISE EXCEPTION 'graduation %: household and proposer cannot change', OLD.id USING ERRCODE = 'check_violation', CONSTRAINT = 'graduations_transition';
    END IF;
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'graduation %: status % cannot become %', OLD.id, OLD.status, NEW.status USING ERRCODE = 'check_violation', CONSTRAINT = 'graduations_transition';
END
$$;
--> statement-breakpoint
CREATE TRIGGER graduations_transition BEFORE UPDATE ON graduations FOR EACH ROW EXECUTE FUNCTION graduations_check_transition();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION graduations_apply_memberships() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status = 'APPROVED' AND OLD.status <> 'APPROVED' THEN
    UPDATE program_memberships SET ended_on = greatest(NEW.graduated_on, since), end_reason = 'GRADUATED', graduation_id = NEW.id
      WHERE household_id = NEW.household_id AND ended_on IS NULL;
  ELSIF NEW.status = 'RETURNED' AND OLD.status <> 'RETURNED' THEN
    INSERT INTO program_memberships (household_id, program_code, since, registry_snapshot)
      SELECT DISTINCT NEW.household_id, program_code, NEW.returned_on, 'RETURN_TO_ASSISTANCE'
      FROM program_memberships WHERE graduation_id = NEW.id
      ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER graduations_memberships AFTER UPDATE OF status ON graduations FOR EACH ROW EXECUTE FUNCTION graduations_apply_memberships();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION referrals_check_transition() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status = OLD.status
     OR (OLD.status = 'REFERRED' AND NEW.status IN ('ACCEPTED', 'DECLINED'))
     OR (OLD.status = 'ACCEPTED' AND NEW.status IN ('ENROLLED', 'DECLINED')) THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'referral %: status % cannot become %', OLD.id, OLD.status, NEW.status USING ERRCODE = 'check_violation', CONSTRAINT = 'referrals_transition';
END
$$;
--> statement-breakpoint
CREATE TRIGGER referrals_transition BEFORE UPDATE ON referrals FOR EACH ROW EXECUTE FUNCTION referrals_check_transition();
--> statement-breakpoint
-- Referrals are made for approved graduations only (terminasi follows graduasi).
CREATE OR REPLACE FUNCTION referrals_require_graduation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM graduations WHERE id = NEW.graduation_id AND status IN ('APPROVED', 'RETURNED')) THEN
    RAISE EXCEPTION 'graduation % is not approved', NEW.graduation_id USING ERRCODE = 'check_violation', CONSTRAINT = 'referrals_graduated';
  END IF;
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE TRIGGER referrals_graduated BEFORE INSERT ON referrals FOR EACH ROW EXECUTE FUNCTION referrals_require_graduation();
--> statement-breakpoint
INSERT INTO social_programs (code, name, provider, max_desil, source, description) VALUES
  ('PKH', 'Program Keluarga Harapan', 'Kemensos', 4, 'Kemensos: PKH desil 1–4 (DTSEN)', 'Conditional cash transfer for families with pregnant women, young or school-age children, elderly or disabled members.'),
  ('SEMBAKO', 'Program Sembako (BPNT)', 'Kemensos', 5, 'Kemensos: Sembako desil 1–5 (DTSEN)', 'Monthly food assistance (Bantuan Pangan Non Tunai).'),
  ('PBI_JK', 'Penerima Bantuan Iuran Jaminan Kesehatan', 'Kemensos / BPJS Kesehatan', 5, 'Kemensos: PBI desil 1–5 (DTSEN)', 'National health insurance contributions paid by the state.'),
  ('ATENSI', 'Asistensi Rehabilitasi Sosial', 'Kemensos', NULL, 'Kemensos: by PAS, not by desil', 'Social rehabilitation for people with PAS (elderly, disability, children …).');
--> statement-breakpoint
INSERT INTO receiving_programs (code, name, agency, kind, source, description) VALUES
  ('KEMENKOP_UMKM_PENDAMPINGAN', 'Pendampingan UMKM', 'Kementerian UMKM', 'MENTORING', 'Named by Kemensos as a terminasi destination (DOMAIN.md); programme terms not encoded', 'Business mentoring and market access for micro enterprises.'),
  ('KUR', 'Kredit Usaha Rakyat', 'Kemenko Perekonomian (via banks)', 'CAPITAL', 'Public credit programme; eligibility terms not encoded (demo entry)', 'Subsidised working-capital credit for micro and small businesses.'),
  ('UMI', 'Pembiayaan Ultra Mikro (UMi)', 'Kementerian Keuangan (PIP)', 'CAPITAL', 'Public financing programme; terms not encoded (demo entry)', 'Ultra-micro financing for businesses too small for KUR.'),
  ('PNM_MEKAAR', 'PNM Mekaar', 'PT Permodalan Nasional Madani', 'CAPITAL', 'Public programme; terms not encoded (demo entry)', 'Group capital and weekly mentoring for women running ultra-micro businesses.'),
  ('KKP_NELAYAN', 'Kampung Nelayan Merah Putih', 'Kementerian Kelautan dan Perikanan', 'MARKET_ACCESS', 'KKP programme named in DOMAIN.md (≥80% fisher residents)', 'Fisheries infrastructure, cold chain and market access for fishing villages.'),
  ('BAZNAS_ZMART', 'Z-Mart', 'BAZNAS', 'MARKET_ACCESS', 'BAZNAS programme named in DOMAIN.md', 'Warung (small shop) stock and mentoring for mustahik.');
--> statement-breakpoint
INSERT INTO graduation_criteria (code, label, rule, required, weight, source, is_assumption) VALUES
  ('DESIL_ABOVE_PKH', 'Desil above the PKH threshold (5 or higher)', '{"fact":"desil","op":"gt","value":4,"label":"Desil above 4 (PKH admits desil 1–4)"}', true, 3,
   'Kemensos: PKH desil 1–4 (DTSEN ranking by BPS)', false),
  ('INCOME_ABOVE_POVERTY_LINE', 'Income per person above the poverty line', '{"fact":"incomePerCapitaIdr","op":"gte","value":609160,"label":"Income per person per month ≥ Rp609,160"}', true, 3,
   'BPS: national poverty line March 2025, Rp609,160 per capita per month (income = household income ÷ occupants)', false),
  ('BUSINESS_12_MONTHS', 'A business running for at least 12 months', '{"fact":"businessMonths","op":"gte","value":12,"label":"Business running ≥ 12 months"}', false, 2,
   'Assumption: 12 months as in OpenSPP''s standard graduation pathway; no Kemensos figure published', true),
  ('HOUSE_LAYAK', 'House fit to live in (not RTLH)', '{"fact":"isRtlh","op":"eq","value":false,"label":"House is not RTLH under the active rule"}', false, 1,
   'RTLH criteria of the active rtlh_rules row (PUPR/BPS)', false);
