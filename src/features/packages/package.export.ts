/** CSV export of a package (RFC 4180): one row per item, personal columns only within the row scope. */
import type { ItemRow } from './package.queries.js';

const COLUMNS = ['item_id', 'intervention_code', 'category', 'funder_code', 'household_id', 'member_id', 'longitude', 'latitude', 'quantity', 'unit_cost_idr', 'cost_idr', 'origin', 'progress', 'started_on', 'done_on', 'eligibility_override_reason'];

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return String(value);
  const s = String(value);
  // Quote when needed; neutralise spreadsheet formulas (CSV injection) with a leading apostrophe.
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function packageCsv(items: ItemRow[], householdLocation: Map<number, [number, number]>): string {
  const lines = [COLUMNS.join(',')];
  for (const i of items) {
    const visible = i.household_id !== null && householdLocation.has(i.household_id);
    const point = i.location ? ((JSON.parse(i.location) as { coordinates: [number, number] }).coordinates) : visible ? householdLocation.get(i.household_id!)! : null;
    lines.push(
      [i.id, i.intervention_code, i.category, i.funder_code, visible ? i.household_id : '', visible ? i.member_id : '', point?.[0], point?.[1], i.quantity, i.unit_cost_idr, i.cost_idr, i.origin, i.progress, i.started_on, i.done_on, i.eligibility_override_reason]
        .map(cell)
        .join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}
