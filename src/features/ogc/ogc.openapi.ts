/**
 * The OpenAPI 3.0 definition of /ogc (conformance class oas30), generated from the collection
 * definitions so that it cannot drift from what the router accepts. Every collection gets its own
 * concrete paths (/collections/households/items, …) listing its filter parameters: GDAL and QGIS
 * read those to decide which attribute filters they may send to the server.
 */
import { COLLECTIONS, type Collection, type Schema } from './ogc.collections.js';
import { DEFAULT_LIMIT, MAX_LIMIT } from './ogc.params.js';
import { NUMBER_MATCHED_CAP } from './ogc.queries.js';
import { MEDIA } from './ogc.service.js';

const ref = (to: string) => ({ $ref: `#/components/${to}` });

/** The numberMatched contract (ogc.queries.ts `countRows`), as clients read it. */
const NUMBER_MATCHED_TEXT =
  'numberMatched, when present, is exact: the number of features all pages of this request return, counted on the first page and carried in the cursor. ' +
  `It is omitted when more than ${NUMBER_MATCHED_CAP.toLocaleString('en')} features match and the count would cost a scan of them ` +
  '(OGC API Features /req/core/fc-numberMatched B), except for households without filters other than village_code, read by ADMIN, PLANNER or PENDAMPING: ' +
  'those are always counted, from the maintained village totals. Villages are always counted.';

const errorResponses = {
  '400': ref('responses/BadRequest'),
  '401': ref('responses/Unauthorized'),
  '403': ref('responses/Forbidden'),
  '500': ref('responses/ServerError'),
};

function featureSchema(c: Collection): Schema {
  return {
    type: 'object',
    required: ['type', 'geometry', 'properties'],
    properties: {
      type: { type: 'string', enum: ['Feature'] },
      id: { type: c.keyType },
      geometry: { $ref: `#/components/schemas/${c.geometryType}` },
      properties: { type: 'object', properties: c.properties },
      links: { type: 'array', items: ref('schemas/link') },
    },
  };
}

function collectionPaths(c: Collection): Record<string, unknown> {
  const tag = c.id;
  const filters = c.filters.flatMap((f) => [
    { name: f.name, in: 'query', required: false, description: f.description, schema: f.schema, style: 'form', explode: false },
    ...f.aliases.map((alias) => ({ name: alias, in: 'query', required: false, description: `Alias of ${f.name}.`, schema: f.schema })),
  ]);
  const featureContent = (schema: Schema) => ({ [MEDIA.geojson]: { schema }, [MEDIA.json]: { schema } });
  return {
    [`/collections/${c.id}`]: {
      get: {
        tags: [tag],
        summary: `Describe ${c.id}`,
        description: c.description,
        operationId: `describe-${c.id}`,
        parameters: [ref('parameters/f')],
        responses: { '200': { description: 'The collection.', content: { [MEDIA.json]: { schema: ref('schemas/collection') } } }, ...errorResponses, '404': ref('responses/NotFound') },
      },
    },
    [`/collections/${c.id}/items`]: {
      get: {
        tags: [tag],
        summary: `Features of ${c.id}`,
        description: `${c.description} Paged by keyset: follow the \`next\` and \`prev\` links (their \`cursor\` is opaque). ${NUMBER_MATCHED_TEXT}`,
        operationId: `get-${c.id}-items`,
        parameters: [ref('parameters/fFeatures'), ref('parameters/bbox'), ref('parameters/limit'), ref('parameters/datetime'), ref('parameters/cursor'), ...filters],
        responses: {
          '200': {
            description: 'A page of features (GeoJSON FeatureCollection).',
            content: featureContent({
              allOf: [ref('schemas/featureCollection'), { type: 'object', properties: { features: { type: 'array', items: { $ref: `#/components/schemas/${c.id}-feature` } } } }],
            }),
          },
          ...errorResponses,
          '404': ref('responses/NotFound'),
        },
      },
    },
    [`/collections/${c.id}/items/{featureId}`]: {
      get: {
        tags: [tag],
        summary: `One feature of ${c.id}`,
        operationId: `get-${c.id}-item`,
        parameters: [
          { name: 'featureId', in: 'path', required: true, description: c.keyType === 'integer' ? 'Feature id (an integer).' : 'Kemendagri village code PP.KK.CC.DDDD.', schema: { type: c.keyType } },
          ref('parameters/fFeatures'),
        ],
        responses: {
          '200': { description: 'The feature (GeoJSON Feature).', content: featureContent({ $ref: `#/components/schemas/${c.id}-feature` }) },
          ...errorResponses,
          '404': ref('responses/NotFound'),
        },
      },
    },
  };
}

const position = { type: 'array', minItems: 2, items: { type: 'number' }, description: '[longitude, latitude], CRS84 degrees.' };

export function openApiDocument(base: string): Record<string, unknown> {
  const jsonOnly = (description: string, schema: Schema) => ({ description, content: { [MEDIA.json]: { schema } } });
  return {
    openapi: '3.0.3',
    info: {
      title: 'Kampung Terpadu — OGC API Features',
      version: '1.0.0',
      description:
        'OGC API – Features Part 1 (Core, GeoJSON, OpenAPI 3.0) over the bedah kampung terpadu data. Geometry is CRS84 (longitude, latitude). ' +
        'Every request needs "Authorization: Bearer <token>"; the role in the token decides which collections, rows and properties are returned, exactly as in the GraphQL API.',
      license: { name: 'MIT' },
    },
    servers: [{ url: base }],
    security: [{ bearerAuth: [] }],
    tags: [{ name: 'capabilities' }, ...COLLECTIONS.map((c) => ({ name: c.id, description: c.title }))],
    paths: {
      '/': {
        get: {
          tags: ['capabilities'],
          summary: 'Landing page',
          operationId: 'getLandingPage',
          parameters: [ref('parameters/f')],
          responses: { '200': jsonOnly('Links to the API definition, the conformance classes and the collections.', ref('schemas/landingPage')), ...errorResponses },
        },
      },
      '/conformance': {
        get: {
          tags: ['capabilities'],
          summary: 'Conformance classes implemented',
          operationId: 'getConformance',
          parameters: [ref('parameters/f')],
          responses: { '200': jsonOnly('The conformance classes.', ref('schemas/conformance')), ...errorResponses },
        },
      },
      '/api': {
        get: {
          tags: ['capabilities'],
          summary: 'This document',
          operationId: 'getApi',
          parameters: [ref('parameters/f')],
          responses: { '200': { description: 'The OpenAPI 3.0 definition.', content: { [MEDIA.openapi]: { schema: { type: 'object' } } } }, ...errorResponses },
        },
      },
      '/collections': {
        get: {
          tags: ['capabilities'],
          summary: 'The collections the caller may read',
          operationId: 'getCollections',
          parameters: [ref('parameters/f')],
          responses: { '200': jsonOnly('The collections, with extents computed from the data the caller may read.', ref('schemas/collections')), ...errorResponses },
        },
      },
      ...Object.assign({}, ...COLLECTIONS.map(collectionPaths)),
    },
    components: {
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      parameters: {
        f: { name: 'f', in: 'query', required: false, description: 'Encoding; only JSON is served.', schema: { type: 'string', enum: ['json'] } },
        fFeatures: {
          name: 'f',
          in: 'query',
          required: false,
          description: 'geojson (application/geo+json, the default) or json (the same GeoJSON served as application/json). Without f, the Accept header decides.',
          schema: { type: 'string', enum: ['geojson', 'json'] },
        },
        bbox: {
          name: 'bbox',
          in: 'query',
          required: false,
          description: 'Only features whose geometry intersects this box: minLongitude,minLatitude,maxLongitude,maxLatitude in CRS84 degrees (6 numbers: heights ignored).',
          schema: { type: 'array', minItems: 4, maxItems: 6, items: { type: 'number' } },
          style: 'form',
          explode: false,
        },
        limit: {
          name: 'limit',
          in: 'query',
          required: false,
          description: `Features per page (default ${DEFAULT_LIMIT}); values above ${MAX_LIMIT} are lowered to ${MAX_LIMIT}.`,
          schema: { type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT },
          style: 'form',
          explode: false,
        },
        datetime: {
          name: 'datetime',
          in: 'query',
          required: false,
          description: 'RFC 3339 instant or interval (".." for an open end). No feature here has a temporal geometry, so every feature matches a valid value.',
          schema: { type: 'string' },
          style: 'form',
          explode: false,
        },
        cursor: { name: 'cursor', in: 'query', required: false, description: 'Paging token from a next or prev link; opaque.', schema: { type: 'string' } },
      },
      responses: {
        BadRequest: jsonOnly('A parameter is malformed, out of range or unknown; `parameter` names it.', ref('schemas/exception')),
        Unauthorized: { description: 'No bearer token, or an invalid one.', content: { [MEDIA.json]: { schema: { type: 'object' } } } },
        Forbidden: jsonOnly('The role may not read this collection, or may not filter on a sensitive PAS.', ref('schemas/exception')),
        NotFound: jsonOnly('No such collection or feature (features outside the caller\'s access are not found either).', ref('schemas/exception')),
        ServerError: jsonOnly('Internal error; `errorId` identifies it in the server log.', ref('schemas/exception')),
      },
      schemas: {
        exception: {
          type: 'object',
          required: ['code'],
          properties: { code: { type: 'string' }, description: { type: 'string' }, parameter: { type: 'string' }, errorId: { type: 'string' } },
        },
        link: {
          type: 'object',
          required: ['href', 'rel'],
          properties: { href: { type: 'string' }, rel: { type: 'string' }, type: { type: 'string' }, title: { type: 'string' } },
        },
        landingPage: { type: 'object', required: ['links'], properties: { title: { type: 'string' }, description: { type: 'string' }, links: { type: 'array', items: ref('schemas/link') } } },
        conformance: { type: 'object', required: ['conformsTo'], properties: { conformsTo: { type: 'array', items: { type: 'string' } } } },
        collection: {
          type: 'object',
          required: ['id', 'links'],
          properties: {
            id: { type: 'string' },
            title: { type: 'string' },
            description: { type: 'string' },
            itemType: { type: 'string' },
            crs: { type: 'array', items: { type: 'string' } },
            extent: { type: 'object', properties: { spatial: { type: 'object', properties: { bbox: { type: 'array', items: { type: 'array', items: { type: 'number' } } }, crs: { type: 'string' } } } } },
            links: { type: 'array', items: ref('schemas/link') },
          },
        },
        collections: { type: 'object', required: ['links', 'collections'], properties: { links: { type: 'array', items: ref('schemas/link') }, collections: { type: 'array', items: ref('schemas/collection') } } },
        featureCollection: {
          type: 'object',
          required: ['type', 'features'],
          properties: {
            type: { type: 'string', enum: ['FeatureCollection'] },
            features: { type: 'array', items: { type: 'object' } },
            links: { type: 'array', items: ref('schemas/link') },
            timeStamp: { type: 'string', format: 'date-time' },
            numberMatched: { type: 'integer', minimum: 0, description: 'Exact when present; see the items operation for when it is omitted.' },
            numberReturned: { type: 'integer', minimum: 0 },
          },
        },
        Point: { type: 'object', required: ['type', 'coordinates'], properties: { type: { type: 'string', enum: ['Point'] }, coordinates: position } },
        MultiPolygon: {
          type: 'object',
          required: ['type', 'coordinates'],
          properties: { type: { type: 'string', enum: ['MultiPolygon'] }, coordinates: { type: 'array', items: { type: 'array', items: { type: 'array', minItems: 4, items: position } } } },
        },
        ...Object.fromEntries(COLLECTIONS.map((c) => [`${c.id}-feature`, featureSchema(c)])),
      },
    },
  };
}
