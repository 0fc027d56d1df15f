/**
 * Public module of the OGC feature: the HTTP plumbing (errors, routes, bbox parameters), collection
 * lookup and extents that the tiles feature builds on, and the router the server mounts.
 * Other features (and the server and seeders) use this feature only through these exports (lint rule
 * viaPublicModules), so its internals can change without touching them.
 */
export { type Collection, findCollection } from './ogc.collections.js';
export { createExtentCache } from './ogc.extents.js';
export { badParameter, type GisDeps, type GisRequest, gisRoute, notFoundError, sendError } from './ogc.http.js';
export { type BboxCrs84 } from './ogc.params.js';
export { type Source } from './ogc.queries.js';
export { createOgcRouter } from './ogc.router.js';
