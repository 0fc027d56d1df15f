/**
 * Query limits. Depth, aliases, tokens, directives and field suggestions come from graphql-armor;
 * cost comes from graphql-query-complexity because its estimators can multiply by list sizes
 * (`first`), which graphql-armor's cost rule does not: 1000 households with 10 nested fields each
 * must cost more than one.
 */
import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { ApolloServerPlugin } from '@apollo/server';
import { type DocumentNode, getOperationAST, getVariableValues, GraphQLError, Kind, valueFromASTUntyped, visit, type ASTVisitor, type FieldNode, type GraphQLSchema, type OperationDefinitionNode, type ValidationContext } from 'graphql';
import { getComplexity, simpleEstimator, type ComplexityEstimator } from 'graphql-query-complexity';
import type { Config } from '../config/config.js';
import { AppError, badInput, ErrorCode } from '../errors/errors.js';
import { assertSafeValue } from './input.js';
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
  return {
    ...protection,
    validationRules: [...protection.validationRules, SingleRootMutationField],
    parseOptions: { maxTokens: config.maxTokens },
    plugins: [...protection.plugins, costLimitPlugin(config.maxCost)],
  };
}

/**
 * All-or-nothing requests: a mutation operation may select only one root field. Each mutation
 * already runs in one transaction with its version check and audit record; with two fields,
 * graphql-js runs them one after another and a failing second field returned `data: null` while
 * the first had committed. Running all fields in one shared transaction would instead hold locks
 * of unrelated packages across fields and make version conflicts of one field abort the others
 * in ways a client cannot read from `data`. One field per request is the rule a client can rely
 * on: the response says exactly what happened. Send several requests to make several changes.
 */
export function SingleRootMutationField(context: ValidationContext): ASTVisitor {
  return {
    OperationDefinition(node: OperationDefinitionNode) {
      if (node.operation !== 'mutation') return;
      const fields = new Set<string>();
      const collect = (selections: OperationDefinitionNode['selectionSet']['selections'], seen: Set<string>) => {
        for (const selection of selections) {
          if (selection.kind === Kind.FIELD) {
            if (selection.name.value !== '__typename') fields.add(selection.alias?.value ?? selection.name.value);
          } else if (selection.kind === Kind.INLINE_FRAGMENT) {
            collect(selection.selectionSet.selections, seen);
          } else if (!seen.has(selection.name.value)) {
            seen.add(selection.name.value);
            const fragment = context.getFragment(selection.name.value);
            if (fragment) collect(fragment.selectionSet.selections, seen);
          }
        }
      };
      collect(node.selectionSet.selections, new Set());
      if (fields.size > 1) {
        context.reportError(
          new GraphQLError(`A mutation request may select only one root field (all-or-nothing: one request, one transaction); got ${fields.size}: ${[...fields].join(', ')}. Send one request per change.`, { nodes: [node] }),
        );
      }
    },
  };
}

/**
 * Documents whose literal arguments passed `assertSafeValue`. The check depends on the document
 * alone, and Apollo hands the same parsed document back for a repeated query (its document
 * store), so a client's repeated operation is walked once, not on every request. The whole
 * document is checked (every operation in it, not only the one run): what a client sends must be
 * storable text and finite numbers throughout.
 */
const checkedDocuments = new WeakSet<DocumentNode>();

function assertSafeLiterals(query: DocumentNode): void {
  if (checkedDocuments.has(query)) return;
  visit(query, {
    Argument(node, _key, _parent, _path, ancestors) {
      if (node.value.kind === Kind.VARIABLE) return;
      const field = [...ancestors].reverse().find((a): a is FieldNode => !Array.isArray(a) && (a as { kind?: string }).kind === Kind.FIELD);
      assertSafeValue(valueFromASTUntyped(node.value), field ? `${field.name.value}(${node.name.value})` : node.name.value);
    },
  });
  checkedDocuments.add(query);
}

/**
 * Costs already computed, by parsed document, operation name and the values of the operation's
 * declared variables. The cost depends on nothing else (undeclared variables are ignored by
 * graphql-js and by the estimators, so they are not part of the key: junk variables cannot
 * create entries), and graphql-query-complexity walks the whole document with type information
 * to get it: on the villages page (op 1 of the benchmark) that walk was ~9% of the API's CPU per
 * request. Keys are exact (the next page's `after` makes a new key). Values longer than
 * `COST_KEY_MAX_CHARS` as JSON (a polygon, a long id list) are priced every time. One map for
 * the process, at most `COSTS_MAX` keys (~2 MB), the oldest evicted first.
 */
const costs = new Map<string, number>();
const documentIds = new WeakMap<DocumentNode, number>();
let nextDocumentId = 0;
const COST_KEY_MAX_CHARS = 1_000;
const COSTS_MAX = 2_000;

function cachedCost(document: DocumentNode, operation: OperationDefinitionNode | null, variables: Record<string, unknown>, compute: () => number): number {
  if (!operation) return compute();
  const declared: Record<string, unknown> = {};
  for (const definition of operation.variableDefinitions ?? []) declared[definition.variable.name.value] = variables[definition.variable.name.value];
  const variablesJson = JSON.stringify(declared);
  if (variablesJson.length > COST_KEY_MAX_CHARS) return compute();
  let documentId = documentIds.get(document);
  if (documentId === undefined) documentIds.set(document, (documentId = nextDocumentId++));
  const key = `${documentId}\u0000${operation.name?.value ?? ''}\u0000${variablesJson}`;
  const hit = costs.get(key);
  if (hit !== undefined) return hit;
  const cost = compute();
  costs.set(key, cost);
  // A Map iterates in insertion order: the first key is the oldest.
  if (costs.size > COSTS_MAX) costs.delete(costs.keys().next().value!);
  return cost;
}

function costLimitPlugin(maxCost: number): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, schema }) {
          // The input layer's request-wide checks, before anything (scalar parsing included) walks
          // the values: text PostgreSQL can store, finite numbers, bounded nesting.
          const variables = request.variables ?? {};
          for (const [name, value] of Object.entries(variables)) assertSafeValue(value, `$${name}`);
          assertSafeLiterals(document);
          // The complexity estimators read arguments, so variables are coerced first; a value
          // that does not fit its type is the client's error (400 naming the variable), not an
          // exception inside this hook (which Apollo answers with 500).
          const operation = getOperationAST(document, request.operationName);
          if (operation) {
            const coerced = getVariableValues(schema as GraphQLSchema, operation.variableDefinitions ?? [], variables, { maxErrors: 5 });
            if (coerced.errors) {
              const first = coerced.errors[0]!;
              const variable = /Variable "\$([^"]+)"/.exec(first.message)?.[1] ?? 'variables';
              throw badInput(`$${variable}`, first.message, { problems: coerced.errors.map((e) => e.message) });
            }
          }
          const cost = cachedCost(document, operation ?? null, variables, () =>
            // operationName: only that operation of a document with several is priced.
            getComplexity({ schema: schema as GraphQLSchema, query: document, operationName: request.operationName ?? undefined, variables, estimators: [listEstimator, simpleEstimator({ defaultComplexity: 1 })] }),
          );
          if (cost > maxCost) {
            throw new AppError(ErrorCode.BAD_USER_INPUT, `Query cost ${cost} exceeds the limit of ${maxCost}: ask for smaller pages (first) or fewer nested lists.`, { cost, maxCost });
          }
        },
      };
    },
  };
}
