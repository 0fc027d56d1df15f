import DataLoader from 'dataloader';
import type { Queryable } from '../../db/database.js';
import { type AssessmentRow, assessmentsByHouseholdIds } from './assessment.queries.js';

/** Only called with households already read through the row scope. */
export function createAssessmentLoaders(db: Queryable) {
  return {
    assessmentsByHousehold: new DataLoader<number, AssessmentRow[]>(async (ids) => {
      const rows = await assessmentsByHouseholdIds(db, ids);
      return ids.map((id) => rows.filter((r) => r.household_id === id));
    }),
  };
}
