/**
 * PUPR component ratings → damage class, by the active `damage_class_rules` row (a rule as data
 * with its source). The rule gives each rating a score (LAYAK 0 … KURANG_LAYAK 3) and each
 * component a weight; the damage share is Σ weight × score / Σ weight × max score over the rated
 * components, and the class is BERAT from `beratFrom`, SEDANG from `sedangFrom`, else RINGAN.
 */
import { badInput } from '../../errors/errors.js';

export const DAMAGE_CLASSES = ['RINGAN', 'SEDANG', 'BERAT'] as const;
export type DamageClass = (typeof DAMAGE_CLASSES)[number];

export interface DamageRule {
  scores: Record<string, number>;
  weights: Record<string, number>;
  sedangFrom: number;
  beratFrom: number;
}

/** The class and the weighted damage share (0–1); null when no component was rated. */
export function damageClassOf(rule: DamageRule, ratings: Record<string, string>): { damageClass: DamageClass; share: number } | null {
  const maxScore = Math.max(...Object.values(rule.scores));
  let damage = 0;
  let worst = 0;
  for (const [component, rating] of Object.entries(ratings)) {
    const weight = rule.weights[component];
    const score = rule.scores[rating];
    if (weight === undefined || score === undefined) throw badInput('input.componentConditions', `the active damage rule does not rate ${component} = ${rating}.`);
    damage += weight * score;
    worst += weight * maxScore;
  }
  if (worst === 0) return null;
  const share = damage / worst;
  return { damageClass: share >= rule.beratFrom ? 'BERAT' : share >= rule.sedangFrom ? 'SEDANG' : 'RINGAN', share: Math.round(share * 1000) / 1000 };
}
