/**
 * Demo data of the KPM lifecycle, loaded inside the demo seed's transaction (one call from
 * src/seed/seed.service.ts). Deterministic: every choice is by household id, so the same seed
 * gives the same rows on both databases.
 *
 * - Memberships for every demo household from its registry row (PKH, Sembako, PBI-JK, ATENSI).
 * - Two pendamping in the pilot villages, 32.12.21.2012 Eretan Kulon (Indramayu) and
 *   33.74.02.1008 Tanjung Mas (Semarang); the Eretan pendamping's caseload spans a second village
 *   of the same kecamatan, as caseloads do. Their subjects are the defaults of `npm run token`
 *   (Tanjung Mas) and `pendamping.eretan@kemensos.go.id`.
 * - Welfare observations (synthetic incomes) for their caseloads, then per pilot village three
 *   approved graduations (criteria evaluated by the real evaluator, stored as evidence), one open
 *   proposal, referrals in each status, a 6-month follow-up and one return to assistance.
 */
import { sql } from 'drizzle-orm';
import type { Principal } from '../../auth/principal.js';
import type { Queryable } from '../../db/database.js';
import { insertFollowUp, insertReferral, updateReferralStatus } from '../referrals/index.js';
import { decideGraduation, factsOf, insertGraduation, listCriteria, markReturned } from './graduation.queries.js';
import { evaluateReadiness, toFacts } from './graduation.rules.js';

export const DEMO_PLANNER = 'planner@kemensos.go.id';
export const DEMO_PENDAMPING = [
  { subject: 'pendamping@kemensos.go.id', name: 'Pendamping PKH Tanjung Mas (demo)', organisation: 'PKH Kota Semarang', village: '33.74.02.1008' },
  { subject: 'pendamping.eretan@kemensos.go.id', name: 'Pendamping PKH Eretan (demo)', organisation: 'PKH Kabupaten Indramayu', village: '32.12.21.2012' },
] as const;
/** A caseload size the seed caps each pendamping at (one pendamping cited serves 462 KPM). */
const CASELOAD_CAP = 250;
const SEED_ADMIN: Principal = { subject: 'seed', role: 'ADMIN', organisation: null, funder: null, regionCodes: null, villageCodes: [] };

export async function seedLifecycleDemo(tx: Queryable): Promise<void> {
  await tx.query(sql`INSERT INTO program_memberships (household_id, program_code, since, registry_snapshot)
    SELECT h.id, p.code, (date '2021-01-01' + ((h.id * 37) % 1400))::date, 'DTSEN 2025-Q3'
    FROM households h CROSS JOIN LATERAL (VALUES
      ('PKH', h.receives_pkh),
      ('SEMBAKO', h.receives_bpnt),
      ('PBI_JK', h.desil <= 6 AND h.id % 3 <> 0),
      ('ATENSI', h.pas && ARRAY['LANSIA_TERLANTAR', 'DISABILITAS']::pas[])) AS p(code, member)
    WHERE p.member`);

  for (const p of DEMO_PENDAMPING) {
    await tx.query(sql`INSERT INTO pendamping (subject, name, organisation) VALUES (${p.subject}, ${p.name}, ${p.organisation})`);
    // Eretan's pendamping also carries KPM in the next village of the kecamatan that has households.
    const [other] = p.village.startsWith('32.')
      ? await tx.query<{ village_code: string }>(sql`SELECT village_code FROM households WHERE village_code LIKE ${`${p.village.slice(0, 8)}.%`} AND village_code <> ${p.village} ORDER BY village_code LIMIT 1`)
      : [];
    const villages = [p.village, ...(other ? [other.village_code] : [])];
    await tx.query(sql`INSERT INTO pendamping_assignments (household_id, pendamping_subject, assigned_on)
      SELECT h.id, ${p.subject}, date '2025-01-06' FROM households h
      WHERE h.village_code = ANY(${sql.param(villages)}::text[]) AND EXISTS (SELECT 1 FROM program_memberships pm WHERE pm.household_id = h.id AND pm.ended_on IS NULL)
      ORDER BY (h.village_code = ${p.village}) DESC, h.id LIMIT ${CASELOAD_CAP}`);
  }

  // Synthetic incomes: 400,000–900,000 rupiah per person per month, so some KPM clear the poverty line.
  await tx.query(sql`INSERT INTO welfare_observations (household_id, observed_on, monthly_income_idr, business_since, recorded_by, note)
    SELECT h.id, date '2025-12-01', h.occupants * (400000 + (h.id * 7919) % 500000),
      CASE WHEN h.has_small_business THEN (date '2023-01-01' + ((h.id * 13) % 900))::date END, pa.pendamping_subject, 'demo: synthetic observation'
    FROM pendamping_assignments pa JOIN households h ON h.id = pa.household_id`);

  const criteria = await listCriteria(tx);
  const graduatedOn = ['2026-02-10', '2026-03-16', '2026-05-20'];
  for (const p of DEMO_PENDAMPING) {
    const facts = await factsOf(tx, SEED_ADMIN, sql`pa.pendamping_subject = ${p.subject} AND h.village_code = ${p.village}`, { onlyCandidates: true });
    const ready = facts.map((row) => ({ row, readiness: evaluateReadiness(criteria, toFacts(row, '2026-01-31')) })).filter((r) => r.readiness.ready).slice(0, 4);
    const ids: number[] = [];
    for (const [i, { row, readiness }] of ready.entries()) {
      const g = await insertGraduation(tx, {
        householdId: row.id,
        villageCode: row.village_code,
        pendampingSubject: p.subject,
        pathway: 'GRADUASI_MANDIRI',
        proposedBy: p.subject,
        evidence: { note: 'demo: income above the poverty line for two quarters', measuredOn: '2026-01-31', facts: toFacts(row, '2026-01-31'), score: readiness.score, ready: true, criteria: readiness.criteria.map((c) => ({ code: c.code, passed: c.passed, parts: c.parts })) },
      });
      if (i < graduatedOn.length) {
        await decideGraduation(tx, g.id, { status: 'APPROVED', decidedBy: DEMO_PLANNER, note: 'demo: criteria met, verified at a home visit', graduatedOn: graduatedOn[i]! });
        ids.push(g.id);
      }
    }
    // Terminasi: one enrolled, one accepted, one declined; a 6-month follow-up; one return to assistance.
    const [a, b, c] = ids;
    if (a !== undefined) {
      const r = await insertReferral(tx, { graduationId: a, programCode: 'KEMENKOP_UMKM_PENDAMPINGAN', referredOn: '2026-02-17', createdBy: p.subject });
      await updateReferralStatus(tx, r.id, 'ACCEPTED', '2026-03-02', null);
      await updateReferralStatus(tx, r.id, 'ENROLLED', '2026-03-20', null);
      await insertFollowUp(tx, { graduationId: a, monthsAfter: 6, checkedOn: '2026-08-12', stillOutOfPoverty: true, returnedToAssistance: false, recordedBy: p.subject, note: 'demo: business still running' });
    }
    if (b !== undefined) {
      const r = await insertReferral(tx, { graduationId: b, programCode: 'KUR', referredOn: '2026-03-23', createdBy: p.subject });
      await updateReferralStatus(tx, r.id, 'ACCEPTED', '2026-04-14', null);
    }
    if (c !== undefined) {
      const r = await insertReferral(tx, { graduationId: c, programCode: 'PNM_MEKAAR', referredOn: '2026-05-27', createdBy: p.subject });
      await updateReferralStatus(tx, r.id, 'DECLINED', '2026-06-10', 'demo: household head prefers to keep working as a labourer');
      if (p.village.startsWith('32.')) {
        await insertFollowUp(tx, { graduationId: c, monthsAfter: 6, checkedOn: '2026-11-20', stillOutOfPoverty: false, returnedToAssistance: true, recordedBy: p.subject, note: 'demo: tidal flooding (rob) destroyed the boat; back on PKH' });
        await markReturned(tx, c, '2026-11-20', 'demo: tidal flooding (rob) destroyed the boat; back on PKH');
      }
    }
  }
}
