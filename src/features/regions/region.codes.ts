import { badInput } from '../../errors/errors.js';
import { RegionLevel } from './region.type.js';

const CODE_PATTERN = /^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$/;
const LEVEL_BY_PARTS = [RegionLevel.PROVINCE, RegionLevel.REGENCY, RegionLevel.DISTRICT, RegionLevel.VILLAGE] as const;

/**
 * Validates a Kemendagri code argument. Undotted input ("3374021008") gets a hint with the
 * dotted form, the form used everywhere in this API.
 */
export function parseRegionCode(value: string, argument: string, level?: RegionLevel): string {
  const code = value.trim();
  if (!CODE_PATTERN.test(code)) {
    const digits = code.replace(/\D/g, '');
    const hint =
      /^\d+$/.test(code) && [2, 4, 6, 10].includes(digits.length)
        ? ` Did you mean "${[digits.slice(0, 2), digits.slice(2, 4), digits.slice(4, 6), digits.slice(6)].filter(Boolean).join('.')}"?`
        : '';
    throw badInput(argument, `expected a Kemendagri code such as "33.74.02.1008" (PP.KK.CC.DDDD); got ${JSON.stringify(value)}.${hint}`, { received: value });
  }
  const actual = LEVEL_BY_PARTS[code.split('.').length - 1];
  if (level && actual !== level) {
    throw badInput(argument, `expected a ${level.toLowerCase()} code; ${JSON.stringify(code)} is a ${actual?.toLowerCase()} code.`, { received: value });
  }
  return code;
}
