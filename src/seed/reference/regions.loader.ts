/**
 * Loads the Kemendagri region tree (38 provinces, 514 regencies/cities, 7,285 districts,
 * 83,762 villages; Kepmendagri 300.2.2-2138/2025) from the bundled CSV.
 */
import { parse } from 'csv-parse/sync';
import { readFileSync } from 'node:fs';
import { copyLine, type Queryable } from '../../db/database.js';
import { nameKey } from '../../features/regions/index.js';
import { DATA_FILES } from './data-files.js';

interface CsvRegion {
  kode: string;
  nama: string;
  level: string;
  kode_induk: string;
  jenis: string;
}

const LEVELS = { '1': 'PROVINCE', '2': 'REGENCY', '3': 'DISTRICT', '4': 'VILLAGE' } as const;
const KINDS: Record<string, string> = {
  provinsi: 'PROVINSI',
  kabupaten: 'KABUPATEN',
  kota: 'KOTA',
  kecamatan: 'KECAMATAN',
  desa: 'DESA',
  kelurahan: 'KELURAHAN',
  desa_adat: 'DESA_ADAT',
};

export function readRegionsCsv(): CsvRegion[] {
  return parse(readFileSync(DATA_FILES.regionsCsv, 'utf8'), { columns: true, skip_empty_lines: true }) as CsvRegion[];
}

export async function loadRegions(tx: Queryable): Promise<number> {
  const rows = readRegionsCsv();
  const lines = rows.map((row) => {
    const level = LEVELS[row.level as keyof typeof LEVELS];
    const kind = KINDS[row.jenis];
    if (!level || !kind) throw new Error(`regions CSV: unexpected level/jenis ${row.level}/${row.jenis} for ${row.kode}`);
    const parts = row.kode.split('.');
    return copyLine([
      row.kode,
      level,
      kind,
      row.nama,
      nameKey(row.nama),
      row.kode_induk || null,
      parts[0],
      parts.length >= 2 ? parts.slice(0, 2).join('.') : null,
      parts.length >= 3 ? parts.slice(0, 3).join('.') : null,
    ]);
  });
  // The CSV lists parents before children, so the self-referencing foreign key holds row by row.
  await tx.copy(
    'regions',
    ['code', 'level', 'kind', 'name', 'name_key', 'parent_code', 'province_code', 'regency_code', 'district_code'],
    lines,
  );
  return rows.length;
}
