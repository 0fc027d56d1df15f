/**
 * Query limits. Depth, aliases, tokens, directives and field suggestions come from graphql-armor;
 * cost comes from graphql-query-complexity because its estimators can multiply by list sizes
 * (`first`), which graphql-armor's cost rule does not: 1000 households with 10 nested fields each
 * must cost more than one.
 */
import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { ApolloServerPlugin } from '@apollo/server';
import { type GraphQLSchema, separateOperations } from 'graphql';
import { getComplexity, simpleEstimator, type ComplexityEstimator } from 'graphql-query-complexity';
import type { Config } from '../config/config.js';
import { AppError, ErrorCode } from '../errors/errors.js';
import { DEFAULT_PAGE_SIZE } from './pagination.js';

/** Lists without a `first` argument count as this many items (FeatureCollections are scalars). */
const UNBOUNDED_LIST_ESTIMATE = 10;

/**
 * Cost of a field = 1 + its children, multiplied by the page size when the field takes `first`
 * (connections) or is a list (members, tags: assumed 10 each).
 */
const listEstimator: ComplexityEstimator = ({ args, field, childComplexity }) => {
  const type = String(field.type);
  // A connection's `nodes`/`edges` hold the page its parent already multiplied by `first`.
  if (field.name === 'nodes' || field.name === 'edges') return 1 + childComplexity;
  if ('first' in args || field.args.some((a) => a.name === 'first')) {
    const first = typeof args.first === 'number' ? args.first : DEFAULT_PAGE_SIZE;
    return 1 + childComplexity * Math.max(1, first);
  }
  if (type.includes('[')) return 1 + childComplexity * UNBOUNDED_LIST_ESTIMATE;
  return undefined;
};

export function createLimits(config: Config['graphql']) {
  const armor = new ApolloArmor({
    maxDepth: { enabled: true, n: config.maxDepth, ignoreIntrospection: true },
    maxAliases: { enabled: true, n: config.maxAliases },
    // Token limit: graphql-js's own parser option (below), so a flood is a 400 parse error;
    // armor's token plugin throws from a plugin hook, which Apollo answers with 500.
    maxTokens: { enabled: false },
    maxDirectives: { enabled: true, n: 20 },
    blockFieldSuggestion: { enabled: !config.introspection },
    costLimit: { enabled: false },
  });
  const protection = armor.protect();
  return { ...protection, parseOptions: { maxTokens: config.maxTokens }, plugins: [...protection.plugins, costLimitPlugin(config.maxCost)] };
}

/** Errors that mean "your request was refused before running": HTTP 400, not 500. */
const REFUSED = new Set(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT', 'BAD_REQUEST']);

function costLimitPlugin(maxCost: number): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        // Refusals by validation rules and our cost check are the client's fault: 400.
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          const { data, errors } = response.body.singleResult;
          if (data == null && errors?.length && errors.every((e) => REFUSED.has(String(e.extensions?.code)))) response.http.status = 400;
        },
        async didResolveOperation({ request, document, schema }) {
          const query = request.operationName ? separateOperations(document)[request.operationName] ?? document : document;
          const cost = getComplexity({ schema: schema as GraphQLSchema, query, variables: request.variables ?? {}, estimators: [listEstimator, simpleEstimator({ defaultComplexity: 1 })] });
          if (cost > maxCost) {
            throw new AppError(ErrorCode.BAD_USER_INPUT, `Query cost ${cost} exceeds the limit of ${maxCost}: ask for smaller pages (first) or fewer nested lists.`, { cost, maxCost });
          }
        },
      };
    },
  };
}
