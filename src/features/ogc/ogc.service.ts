/**
 * OGC API – Features, Part 1 (Core, GeoJSON, OpenAPI 3.0): the documents and the feature pages.
 *
 * Access follows the same rules as GraphQL, from the same policy: a collection the principal may
 * not read is absent from /collections and refused with 403; rows are scoped in SQL (see
 * ogc.queries.ts); household records read by a non-admin are written to the audit log, one record
 * per request, before the response leaves; if that write fails, the data is not sent.
 */
import { PersonalReads } from '../../audit/personal-reads.js';
import type { Principal } from '../../auth/principal.js';
import { DEFAULT_WEIGHTS, toVillage, villagesByCodes, visibleNeedStatistics, visiblePriority } from '../villages/index.js';
import { COLLECTIONS, findCollection, type Collection } from './ogc.collections.js';
import { accessScopeKey, createExtentCache } from './ogc.extents.js';
import { forbiddenError, HttpError, notFoundError, type GisDeps, type GisRequest } from './ogc.http.js';
import {
  encodeCursor,
  parseBbox,
  parseCursor,
  parseDatetime,
  parseLimit,
  QueryReader,
  scopeHash,
  type BboxCrs84,
  type Cursor,
  type FeatureKey,
} from './ogc.params.js';
import { countRows, pageFeatures, pageRows, rowByKey, type FeaturePage, type Source, type SourceRow } from './ogc.queries.js';

export const CRS84 = 'http://www.opengis.net/def/crs/OGC/1.3/CRS84';
export const MEDIA = {
  json: 'application/json',
  geojson: 'application/geo+json',
  openapi: 'application/vnd.oai.openapi+json;version=3.0',
} as const;

/** Only what is implemented: no HTML, no CRS extension, no queryables or CQL2. */
export const CONFORMANCE = [
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core',
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson',
  'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30',
];

/** Where the personal-data audit says the read happened. */
export const auditPath = (collectionId: string, single: boolean) => `ogc:/collections/${collectionId}/items${single ? '/{featureId}' : ''}`;

export type FeatureFormat = 'geojson' | 'json';

export interface Link {
  href: string;
  rel: string;
  type: string;
  title?: string;
}

export function createOgcService(deps: GisDeps) {
  const { db, kAnonymity } = deps;
  const extentsFor = createExtentCache(db, deps);

  function readableCollection(ctx: GisRequest, id: string): Collection {
    const collection = findCollection(id);
    if (!collection) throw notFoundError(`No collection ${JSON.stringify(id)}; the collections are ${COLLECTIONS.map((c) => c.id).join(', ')} (see /collections).`);
    const refusal = collection.refusal(ctx.principal);
    if (refusal) throw forbiddenError(refusal);
    return collection;
  }

  function collectionDocument(ctx: GisRequest, c: Collection, extent: BboxCrs84 | null | undefined) {
    const href = `${ctx.base}/collections/${c.id}`;
    return {
      id: c.id,
      title: c.title,
      description: c.description,
      itemType: 'feature',
      crs: [CRS84],
      ...(extent ? { extent: { spatial: { bbox: [extent], crs: CRS84 } } } : {}),
      links: [
        { href, rel: 'self', type: MEDIA.json, title: c.title },
        { href: `${href}/items`, rel: 'items', type: MEDIA.geojson, title: `${c.title} as GeoJSON` },
        { href: `${href}/items?f=json`, rel: 'items', type: MEDIA.json, title: `${c.title} as GeoJSON, served as application/json` },
      ],
    };
  }

  /** Villages' properties are the need statistics as GraphQL shows them to this principal (policy.exactAggregates, else protected counts). */
  async function villageFeatures(principal: Principal, rows: SourceRow[]): Promise<string[]> {
    const byCode = new Map((await villagesByCodes(db, rows.map((r) => String(r.key)))).map((v) => [v.code, v]));
    return rows.map((row) => {
      const villageRow = byCode.get(String(row.key));
      if (!villageRow) throw new Error(`village ${row.key} has a boundary but no region row`);
      const village = toVillage(villageRow);
      const stats = visibleNeedStatistics(village.needStatistics, principal, kAnonymity, village.code);
      const round = (n: number | null, digits: number) => (n === null ? null : Math.round(n * 10 ** digits) / 10 ** digits);
      const properties = {
        code: village.code,
        name: village.name,
        kind: village.kind,
        district_code: village.districtCode,
        regency_code: village.regencyCode,
        province_code: village.provinceCode,
        area_km2: round(village.areaKm2, 4),
        is_coastal: village.coastal?.isCoastal ?? null,
        households: stats.households,
        members: stats.members,
        households_desil_1_to_2: stats.householdsDesil1To2,
        households_desil_1_to_4: stats.householdsDesil1To4,
        rtlh_households: stats.rtlhHouseholds,
        vulnerable_households: stats.vulnerableHouseholds,
        households_with_elderly: stats.householdsWithElderly,
        households_with_disabled: stats.householdsWithDisabled,
        fisher_share: round(stats.fisherShare, 4),
        priority_score: round(visiblePriority(village, DEFAULT_WEIGHTS, principal, kAnonymity)?.score ?? null, 2),
      };
      return `{"type":"Feature","id":${JSON.stringify(village.code)},"geometry":${row.body},"properties":${JSON.stringify(properties)}}`;
    });
  }

  async function features(c: Collection, principal: Principal, rows: SourceRow[]): Promise<string[]> {
    return c.id === 'villages' ? villageFeatures(principal, rows) : rows.map((r) => r.body);
  }

  /** One audit record for the household records in `rows` (none for ADMIN or when no row names a household). */
  async function auditReads(ctx: GisRequest, path: string, rows: SourceRow[]): Promise<void> {
    await auditHouseholds(ctx, path, rows.flatMap((r) => (r.household_id === null || r.household_id === undefined ? [] : [Number(r.household_id)])));
  }

  async function auditHouseholds(ctx: GisRequest, path: string, householdIds: number[]): Promise<void> {
    const reads = new PersonalReads(ctx.principal);
    reads.note(path, householdIds);
    await reads.flush(db, ctx.requestId);
  }

  /**
   * One page in the reading direction. Villages add their properties in JavaScript (the need
   * statistics as this principal may see them), so their rows come back one by one; every other
   * collection's features are joined by PostgreSQL (`pageFeatures`).
   */
  async function readPage(c: Collection, principal: Principal, source: Source, cursor: Cursor | null, limit: number): Promise<FeaturePage> {
    if (c.id !== 'villages') return pageFeatures(db, source, cursor, limit);
    const rows = await pageRows(db, source, cursor, limit + 1);
    const page = rows.slice(0, limit);
    if (cursor?.direction === 'before') page.reverse();
    return {
      features: page.length ? [(await villageFeatures(principal, page)).join(',')] : [],
      returned: page.length,
      more: rows.length > limit,
      firstKey: page[0]?.key ?? null,
      lastKey: page[page.length - 1]?.key ?? null,
      householdIds: [],
    };
  }

  // Commas stay literal (bbox=1,2,3,4 reads better than 1%2C2%2C…; both are valid in a query).
  const url = (base: string, params: URLSearchParams) => {
    const search = params.toString().replace(/%2C/gi, ',');
    return search ? `${base}?${search}` : base;
  };

  return {
    landing(ctx: GisRequest) {
      new QueryReader(ctx.query).assertOnly(['f']);
      return {
        title: 'Kampung Terpadu — OGC API Features',
        description:
          'Villages, registry households, planned facilities and package items of the bedah kampung terpadu programme (Kemensos × BAZNAS), ' +
          'under the same access rules as the GraphQL API. Send "Authorization: Bearer <token>" with every request.',
        links: [
          { href: ctx.base, rel: 'self', type: MEDIA.json, title: 'This document' },
          { href: `${ctx.base}/api`, rel: 'service-desc', type: MEDIA.openapi, title: 'The API definition (OpenAPI 3.0, JSON)' },
          { href: `${ctx.base}/conformance`, rel: 'conformance', type: MEDIA.json, title: 'Conformance classes implemented' },
          { href: `${ctx.base}/collections`, rel: 'data', type: MEDIA.json, title: 'The collections' },
        ],
      };
    },

    conformance(ctx: GisRequest) {
      new QueryReader(ctx.query).assertOnly(['f']);
      return { conformsTo: CONFORMANCE };
    },

    async collections(ctx: GisRequest) {
      new QueryReader(ctx.query).assertOnly(['f']);
      const readable = COLLECTIONS.filter((c) => c.refusal(ctx.principal) === null);
      const boxes = await extentsFor(ctx.principal, readable);
      return {
        links: [{ href: `${ctx.base}/collections`, rel: 'self', type: MEDIA.json, title: 'The collections' }],
        collections: readable.map((c) => collectionDocument(ctx, c, boxes[c.id])),
      };
    },

    async collection(ctx: GisRequest, id: string) {
      new QueryReader(ctx.query).assertOnly(['f']);
      const c = readableCollection(ctx, id);
      const boxes = await extentsFor(ctx.principal, COLLECTIONS.filter((x) => x.refusal(ctx.principal) === null));
      return collectionDocument(ctx, c, boxes[c.id]);
    },

    /**
     * A page of features as GeoJSON FeatureCollection text, in consecutive pieces to be written as
     * they are (a page of 1,000 households is ~400 kB; see `pageFeatures` for why not one string).
     */
    async items(ctx: GisRequest, id: string, format: FeatureFormat): Promise<string[]> {
      const c = readableCollection(ctx, id);
      const reader = new QueryReader(ctx.query);
      reader.assertOnly(['f', 'bbox', 'limit', 'datetime', 'cursor', ...c.filters.flatMap((f) => [f.name, ...f.aliases])]);
      const limit = parseLimit(reader.value('limit'));
      const bbox = parseBbox(reader.value('bbox'));
      parseDatetime(reader.value('datetime'));
      const { source, filters } = c.select(reader, ctx.principal, bbox, deps);
      const cursor = parseCursor(reader.value('cursor'), c.keyType);
      const scope = scopeHash([c.id, accessScopeKey(ctx.principal), filters]);

      const [page, numberMatched] = await Promise.all([
        readPage(c, ctx.principal, source, cursor ?? null, limit),
        cursor && cursor.scope === scope ? Promise.resolve(cursor.numberMatched) : countRows(db, source),
      ]);
      const { more, firstKey: first, lastKey: last } = page;
      const hasNext = last !== null && (cursor?.direction === 'before' || more);
      const hasPrev = first !== null && (cursor?.direction === 'after' || (cursor?.direction === 'before' && more));

      const itemsUrl = `${ctx.base}/collections/${c.id}/items`;
      const pageLink = (direction: Cursor['direction'], key: FeatureKey, rel: string, title: string): Link => {
        // Paging links always answer GeoJSON (no f): clients follow them with their own Accept header.
        const params = new URLSearchParams(ctx.query);
        params.delete('cursor');
        params.delete('f');
        params.set('cursor', encodeCursor({ direction, key, numberMatched, scope }));
        return { href: url(itemsUrl, params), rel, type: MEDIA.geojson, title };
      };
      const other: FeatureFormat = format === 'geojson' ? 'json' : 'geojson';
      const alternate = new URLSearchParams(ctx.query);
      alternate.set('f', other);
      const links: Link[] = [
        { href: url(itemsUrl, ctx.query), rel: 'self', type: MEDIA[format], title: 'This page' },
        { href: url(itemsUrl, alternate), rel: 'alternate', type: MEDIA[other], title: `This page as ${MEDIA[other]}` },
        { href: `${ctx.base}/collections/${c.id}`, rel: 'collection', type: MEDIA.json, title: c.title },
        ...(hasNext ? [pageLink('after', last, 'next', 'Next page')] : []),
        ...(hasPrev ? [pageLink('before', first, 'prev', 'Previous page')] : []),
      ];

      await auditHouseholds(ctx, auditPath(c.id, false), page.householdIds);
      // numberMatched null: more than NUMBER_MATCHED_CAP match and no maintained total answers the request; omitted, never estimated.
      const head = JSON.stringify({ type: 'FeatureCollection', timeStamp: new Date().toISOString(), ...(numberMatched === null ? {} : { numberMatched }), numberReturned: page.returned, links });
      const pieces = page.features.flatMap((piece, i) => (i === 0 ? [piece] : [',', piece]));
      return [`${head.slice(0, -1)},"features":[`, ...pieces, ']}'];
    },

    /** One feature as GeoJSON Feature text; 404 when absent or outside the principal's access. */
    async item(ctx: GisRequest, id: string, featureId: string, format: FeatureFormat): Promise<string> {
      const c = readableCollection(ctx, id);
      new QueryReader(ctx.query).assertOnly(['f']);
      const missing = () => notFoundError(`No feature ${JSON.stringify(featureId)} in collection ${c.id} (or it is outside your access).`);
      let key: FeatureKey;
      if (c.keyType === 'integer') {
        if (!/^\d{1,10}$/.test(featureId) || Number(featureId) > 2_147_483_647) throw missing();
        key = Number(featureId);
      } else {
        if (!/^\d{2}\.\d{2}\.\d{2}\.\d{4}$/.test(featureId)) throw missing();
        key = featureId;
      }
      const source: Source = c.unfiltered(ctx.principal, deps);
      const row = await rowByKey(db, source, key);
      if (!row) throw missing();
      const [text] = await features(c, ctx.principal, [row]);
      await auditReads(ctx, auditPath(c.id, true), [row]);
      const href = `${ctx.base}/collections/${c.id}/items/${encodeURIComponent(featureId)}`;
      const other: FeatureFormat = format === 'geojson' ? 'json' : 'geojson';
      const feature = JSON.parse(text as string) as Record<string, unknown>;
      feature.links = [
        { href: format === 'geojson' ? href : `${href}?f=json`, rel: 'self', type: MEDIA[format], title: 'This feature' },
        { href: `${href}?f=${other}`, rel: 'alternate', type: MEDIA[other], title: `This feature as ${MEDIA[other]}` },
        { href: `${ctx.base}/collections/${c.id}`, rel: 'collection', type: MEDIA.json, title: c.title },
      ];
      return JSON.stringify(feature);
    },
  };
}

export type OgcService = ReturnType<typeof createOgcService>;

/** Feature media type: `f` wins (geojson or json), else the Accept header, else GeoJSON. */
export function featureFormat(f: string | undefined, accepts: (types: string[]) => string | false): FeatureFormat {
  if (f === 'geojson') return 'geojson';
  if (f === 'json') return 'json';
  if (f !== undefined) throw new HttpError(400, 'InvalidParameterValue', `f: expected json or geojson (both GeoJSON; served as application/json or application/geo+json); got ${JSON.stringify(f)}.`, 'f');
  return accepts([MEDIA.geojson, MEDIA.json]) === MEDIA.json ? 'json' : 'geojson';
}

/** Metadata documents answer JSON only. */
export function assertJsonFormat(f: string | undefined): void {
  if (f !== undefined && f !== 'json') {
    throw new HttpError(400, 'InvalidParameterValue', `f: this API answers JSON only; expected f=json; got ${JSON.stringify(f)}.`, 'f');
  }
}
