/**
 * The search key of a region name: lower case, accents removed, everything but letters and
 * digits dropped, so "Tanjung Mas", "TANJUNG MAS", "Tanjungmas" and "Tanjung-Mas" all meet.
 * Computed in JS because the embedded database has neither unaccent nor pg_trgm.
 */
export function nameKey(name: string): string {
  return name
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}
