import { registerEnumType } from 'type-graphql';
import { FACILITY_SERVES, INTERVENTION_CATEGORIES, INTERVENTION_TARGETS, KEMENSOS_CLUSTERS } from '../../db/schema.js';
import { enumOf } from '../../graphql/enums.js';


export const InterventionCategory = enumOf(INTERVENTION_CATEGORIES);
export type InterventionCategory = keyof typeof InterventionCategory;
export const KemensosCluster = enumOf(KEMENSOS_CLUSTERS);
export type KemensosCluster = keyof typeof KemensosCluster;
export const InterventionTarget = enumOf(INTERVENTION_TARGETS);
export type InterventionTarget = keyof typeof InterventionTarget;
export const FacilityServes = enumOf(FACILITY_SERVES);
export type FacilityServes = keyof typeof FacilityServes;

registerEnumType(InterventionCategory, {
  name: 'InterventionCategory',
  description: 'What an intervention is: house repair, economic empowerment, child- or elderly-friendly facility, disability access, sanitation, community facility, social rehabilitation (ATENSI).',
});
registerEnumType(KemensosCluster, { name: 'KemensosCluster', description: 'Kemensos intervention cluster: perlindungan (protection), rehabilitasi (rehabilitation), pemberdayaan (empowerment).' });
registerEnumType(InterventionTarget, { name: 'InterventionTarget', description: 'Who receives it: a HOUSEHOLD, a PERSON (a member), or a FACILITY sited in the village.' });
registerEnumType(FacilityServes, {
  name: 'FacilityServes',
  description: 'Which households a facility serves: ELDERLY (a member 60+), DISABLED (a member with a disability), CHILD (a member under 18), SANITATION (no own toilet), EVERYONE (a community facility: counted for no target group, so coverage never claims it serves the elderly, disabled people or children).',
});
