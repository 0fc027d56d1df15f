/**
 * The V8 heap policy of the server process (HEAP_GROWING_PERCENT, config.ts). Set from the
 * configuration at start rather than on the node command line, so `npm start`, the Docker image,
 * the benchmark and a bare `node dist/server/src/main.js` all run with it (NODE_OPTIONS does not
 * accept this V8 flag). V8 reads `--heap-growing-percent` each time it sizes the heap after a full
 * collection, so setting it after start takes effect from the next one (measured: the same
 * resident memory as on the command line, bench/README.md).
 */
import { setFlagsFromString } from 'node:v8';
import type { Config } from '../config/config.js';

/** The V8 flags `heap` asks for (none for V8's own policy). */
export function heapFlags(heap: Config['heap']): string[] {
  return heap.growingPercent > 0 ? [`--heap-growing-percent=${heap.growingPercent}`] : [];
}

export function applyHeapPolicy(heap: Config['heap'], setFlags: (flag: string) => void = setFlagsFromString): string[] {
  const flags = heapFlags(heap);
  for (const flag of flags) setFlags(flag);
  return flags;
}
