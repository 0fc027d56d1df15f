/** CSV export of a package (RFC 4180): one row per item, personal columns only within the row scope. */
import type { ItemRow } from './package-item.source.js';

const COLUMNS = ['item_id', 'intervention_code', 'category', 'funder_code', 'household_id', 'member_id', 'longitude', 'latitude', 'quantity', 'unit_cost_idr', 'cost_idr', 'origin', 'progress', 'started_on', 'done_on', 'eligibility_override_reason'];

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return String(value);
  const s = String(value);
  // Quote when needed; neutralise spreadsheet formulas (CSV injection) with a leading apostrophe.
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** Items as read from the package-item source (already in the caller's scope): one CSV row each, located as on the map. */
export function packageCsv(items: readonly ItemRow[]): string {
  const lines = [COLUMNS.join(',')];
  for (const i of items) {
    lines.push(
      [i.id, i.intervention_code, i.category, i.funder_code, i.household_id, i.member_id, i.lon, i.lat, i.quantity, i.unit_cost_idr, i.cost_idr, i.origin, i.progress, i.started_on, i.done_on, i.eligibility_override_reason]
        .map(cell)
        .join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}
