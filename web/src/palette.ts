/**
 * Colour-blind-safe palettes: viridis for ordered values (priority score, desil) and Okabe–Ito
 * for categories. Both stay distinguishable under deuteranopia, protanopia and tritanopia.
 */
export const VIRIDIS = ['#440154', '#482878', '#3e4989', '#31688e', '#26828e', '#1f9e89', '#35b779', '#6ece58', '#b5de2b', '#fde725'];
export const OKABE_ITO = {
  orange: '#E69F00',
  skyBlue: '#56B4E9',
  green: '#009E73',
  yellow: '#F0E442',
  blue: '#0072B2',
  vermillion: '#D55E00',
  purple: '#CC79A7',
  grey: '#999999',
  black: '#000000',
};
/** Priority score stops (score → colour), 0–60 covers the demo's range; higher scores take the last colour. */
export const PRIORITY_STOPS: [number, string][] = [
  [0, VIRIDIS[0]!],
  [15, VIRIDIS[2]!],
  [30, VIRIDIS[4]!],
  [45, VIRIDIS[6]!],
  [60, VIRIDIS[9]!],
];
/** Desil 1 (poorest) darkest. */
export const DESIL_COLOURS = VIRIDIS;
/**
 * Existing facilities by kind (Okabe–Ito; yellow and sky blue are left out: too light on the
 * basemap, and sky blue already marks other packages' facilities). Colour is never the only cue:
 * the village panel lists each facility with its kind in words.
 */
export const FACILITY_KIND_COLOURS: Record<string, string> = {
  MOSQUE: OKABE_ITO.blue,
  SCHOOL: OKABE_ITO.orange,
  POSYANDU: OKABE_ITO.purple,
  MCK: OKABE_ITO.vermillion,
  VILLAGE_HALL: OKABE_ITO.black,
  OTHER: OKABE_ITO.grey,
};
/** Kinds as sources spell them (Indonesian or English) → the legend's kind. */
const KIND_ALIASES: Record<string, string> = { MASJID: 'MOSQUE', MUSALA: 'MOSQUE', MUSHOLA: 'MOSQUE', SEKOLAH: 'SCHOOL', SD: 'SCHOOL', SMP: 'SCHOOL', BALAI_DESA: 'VILLAGE_HALL', BALAI_WARGA: 'VILLAGE_HALL', TOILET: 'MCK' };
export function facilityKind(kind: string): string {
  const k = KIND_ALIASES[kind] ?? kind;
  return k in FACILITY_KIND_COLOURS ? k : 'OTHER';
}
