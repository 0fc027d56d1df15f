/**
 * Public module of the tiles feature: the router the server mounts.
 * Other features (and the server and seeders) use this feature only through these exports (lint rule
 * viaPublicModules), so its internals can change without touching them.
 */
export { createTilesRouter } from './tiles.router.js';
