/**
 * The households page answered by one SQL statement (issue #19, op 2).
 *
 * Resolved field by field, a page of 1,000 households with their PAS tags is ~10,000 GraphQL
 * fields: graphql-js's walk, the objects and promises it leaves for the garbage collector and the
 * second serialisation took 52 ms of Node CPU per request where the raw SQL client took 8
 * (bench/README.md). When every field a request selects below `nodes` is a plain value of the
 * household row or of its PAS tags, PostgreSQL builds the page's nodes as one JSON text — the
 * same keys, in the same order, with the same values the resolvers would give — and graphql-js
 * resolves one list. Any other selection (members, identity, village, rtlh, houseCondition,
 * edges, a directive beyond skip/include…) takes the ordinary resolvers; both paths read the one
 * household source, so scope, filters and hidden PAS cannot differ
 * (tests/graphql/households-page.test.ts compares them).
 */
import { type GraphQLResolveInfo, responsePathAsArray } from 'graphql';
import { MAX_JSON_KEYS } from '../../db/json-text.js';
import { selectionOf, type Selection } from '../../graphql/selection.js';
import {
  HOUSEHOLD_JSON_FIELDS,
  type HouseholdJsonField,
  type HouseholdJsonKey,
  PAS_TAG_JSON_FIELDS,
  type PasTagJsonField,
  type PasTagJsonKey,
} from './household.queries.js';

const HOUSEHOLD_FIELDS = new Set<string>(HOUSEHOLD_JSON_FIELDS);
const TAG_FIELDS = new Set<string>(PAS_TAG_JSON_FIELDS);
/** Fields of the connection itself that graphql-js still resolves (cheap: one object each). */
const CONNECTION_FIELDS = new Set(['nodes', 'pageInfo', 'totalCount', '__typename']);

export interface HouseholdPagePlan {
  /** Response path of the `nodes` list: where the JSON text goes. */
  nodesPath: (string | number)[];
  /** The keys of each node, in response order. */
  keys: HouseholdJsonKey[];
  /** Whether `totalCount` is selected (then it is counted in the same statement). */
  withTotal: boolean;
}

function tagKeys(selection: Selection): PasTagJsonKey[] | null {
  const keys: PasTagJsonKey[] = [];
  for (const f of selection.values()) {
    if (f.name === '__typename') keys.push({ key: f.responseKey, typename: 'PasTag' });
    else if (TAG_FIELDS.has(f.name) && f.nodes.every((n) => !n.selectionSet)) keys.push({ key: f.responseKey, field: f.name as PasTagJsonField });
    else return null;
  }
  return keys.length > 0 && keys.length <= MAX_JSON_KEYS ? keys : null;
}

/**
 * The plan for a `households` connection field, or `null` when its selection needs the
 * resolvers (see the module comment).
 */
export function planHouseholdPage(info: GraphQLResolveInfo): HouseholdPagePlan | null {
  const connection = selectionOf(info.fieldNodes, 'HouseholdConnection', info);
  if (!connection) return null;
  const nodeFields = [...connection.values()].filter((f) => f.name === 'nodes');
  // One `nodes` key only: two aliases could select differently (rare; the resolvers handle it).
  if (nodeFields.length !== 1 || [...connection.values()].some((f) => !CONNECTION_FIELDS.has(f.name))) return null;
  const nodes = nodeFields[0]!;
  const selection = selectionOf(nodes.nodes, 'Household', info);
  if (!selection || selection.size === 0 || selection.size > MAX_JSON_KEYS) return null;
  const keys: HouseholdJsonKey[] = [];
  for (const f of selection.values()) {
    if (f.name === '__typename') keys.push({ key: f.responseKey, typename: 'Household' });
    else if (HOUSEHOLD_FIELDS.has(f.name) && f.nodes.every((n) => !n.selectionSet)) keys.push({ key: f.responseKey, field: f.name as HouseholdJsonField });
    else if (f.name === 'pasTags') {
      const tagSelection = selectionOf(f.nodes, 'PasTag', info);
      const children = tagSelection && tagKeys(tagSelection);
      if (!children) return null;
      keys.push({ key: f.responseKey, children });
    } else return null;
  }
  return { nodesPath: [...responsePathAsArray(info.path), nodes.responseKey], keys, withTotal: [...connection.values()].some((f) => f.name === 'totalCount') };
}
