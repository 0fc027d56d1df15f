/**
 * Public module of the facilities feature: the existing-facility source (FROM, scope conditions,
 * geometry and feature JSON) that the OGC collection and the tile layer read, so both show the same rows.
 * Other features (and the server and seeders) use this feature only through these exports (lint rule
 * viaPublicModules), so its internals can change without touching them.
 */
export { EXISTING_FACILITIES_FROM, EXISTING_FACILITY_FEATURE_JSON, EXISTING_FACILITY_GEOMETRY, existingFacilityConditions } from './facility.queries.js';
