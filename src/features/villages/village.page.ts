/**
 * The villages page answered by one SQL statement (issue #19, op 1).
 *
 * Resolved field by field, a page of 50 villages with their priority and need statistics is
 * ~1,700 GraphQL fields (five components of four fields each, ten statistics per village): the
 * walk of graphql-js and the objects it leaves for the garbage collector made the API 1.9× the raw
 * SQL client (bench/README.md). When every field a request selects below `nodes` is one that
 * PostgreSQL can write (VILLAGE_JSON_TYPES: the village's plain fields, coastal, priority without
 * `weights`, needStatistics with its lists), PostgreSQL builds the nodes as one JSON text — the
 * same keys, in the same order, with the same values the resolvers give — and graphql-js resolves
 * one list. Anything else (boundary, district, priority(weights:), edges, a directive beyond
 * skip/include…) takes the ordinary resolvers. Both paths read the one village source, so scope,
 * filters, order and protected counts cannot differ (tests/graphql/villages-page.test.ts compares
 * them for every role).
 */
import { type GraphQLResolveInfo, responsePathAsArray } from 'graphql';
import { MAX_JSON_KEYS } from '../../db/json-text.js';
import { selectionOf } from '../../graphql/selection.js';
import type { FieldNode } from 'graphql';
import { VILLAGE_JSON_TYPES, type VillageJsonKey, type VillageJsonType } from './village.queries.js';

/** Fields of the connection itself that graphql-js still resolves (cheap: one object each). */
const CONNECTION_FIELDS = new Set(['nodes', 'pageInfo', 'totalCount', '__typename']);

export interface VillagePagePlan {
  /** Response path of the `nodes` list: where the JSON text goes. */
  nodesPath: (string | number)[];
  /** The keys of each node, in response order. */
  keys: VillageJsonKey[];
  /** Whether `totalCount` is selected (then it is counted in the same statement). */
  withTotal: boolean;
}

const isJsonType = (name: string): name is VillageJsonType => Object.hasOwn(VILLAGE_JSON_TYPES, name);

/** The keys of an object of `type` selected by `nodes`, or null when a field needs the resolvers. */
function keysOf(nodes: readonly FieldNode[], type: VillageJsonType, info: GraphQLResolveInfo): VillageJsonKey[] | null {
  const selection = selectionOf(nodes, type, info);
  if (!selection || selection.size === 0 || selection.size > MAX_JSON_KEYS) return null;
  const fields: Record<string, string | null> = VILLAGE_JSON_TYPES[type];
  const keys: VillageJsonKey[] = [];
  for (const f of selection.values()) {
    if (f.name === '__typename') {
      keys.push({ key: f.responseKey, typename: type });
      continue;
    }
    if (!Object.hasOwn(fields, f.name)) return null;
    const child = fields[f.name];
    if (child === null || child === undefined) {
      // A leaf selected with a sub-selection is invalid GraphQL; validation has refused it already.
      if (f.nodes.some((n) => n.selectionSet)) return null;
      keys.push({ key: f.responseKey, field: f.name });
    } else {
      if (!isJsonType(child)) return null;
      const children = keysOf(f.nodes, child, info);
      if (!children) return null;
      keys.push({ key: f.responseKey, field: f.name, children });
    }
  }
  return keys;
}

/**
 * The plan for a `villages` connection field, or `null` when its selection needs the resolvers
 * (see the module comment).
 */
export function planVillagePage(info: GraphQLResolveInfo): VillagePagePlan | null {
  const connection = selectionOf(info.fieldNodes, 'VillageConnection', info);
  if (!connection) return null;
  const fields = [...connection.values()];
  const nodeFields = fields.filter((f) => f.name === 'nodes');
  // One `nodes` key only: two aliases could select differently (rare; the resolvers handle it).
  if (nodeFields.length !== 1 || fields.some((f) => !CONNECTION_FIELDS.has(f.name))) return null;
  const nodes = nodeFields[0]!;
  const keys = keysOf(nodes.nodes, 'Village', info);
  if (!keys) return null;
  return { nodesPath: [...responsePathAsArray(info.path), nodes.responseKey], keys, withTotal: fields.some((f) => f.name === 'totalCount') };
}
