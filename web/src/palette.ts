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
