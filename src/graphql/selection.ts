/**
 * What a request selected below a field, as graphql-js itself would execute it: fields merged by
 * response key in first-appearance order, fragments expanded, `@skip`/`@include` applied.
 *
 * Used by resolvers that answer a whole sub-tree from one SQL statement (the households page,
 * household.page.ts): they must return exactly the keys, in exactly the order, that graphql-js
 * would have produced. Anything this module cannot vouch for — a directive other than skip and
 * include, a fragment on another type (an interface or union), a field with arguments — makes it
 * answer `null`, and the caller takes the ordinary resolver path.
 */
import {
  type FieldNode,
  getDirectiveValues,
  type GraphQLResolveInfo,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  Kind,
  type SelectionNode,
  type SelectionSetNode,
} from 'graphql';

export interface SelectedField {
  /** The key in the response: the alias, or the field name. */
  responseKey: string;
  /** The schema field's name. */
  name: string;
  /** Every node merged under this response key (their selection sets are merged too). */
  nodes: FieldNode[];
}

/** Response key → field, in the order graphql-js writes them. */
export type Selection = Map<string, SelectedField>;

type Context = Pick<GraphQLResolveInfo, 'fragments' | 'variableValues'>;

function included(node: SelectionNode, ctx: Context): boolean | null {
  for (const directive of node.directives ?? []) {
    const name = directive.name.value;
    if (name !== GraphQLSkipDirective.name && name !== GraphQLIncludeDirective.name) return null;
  }
  if (getDirectiveValues(GraphQLSkipDirective, node, ctx.variableValues)?.if === true) return false;
  if (getDirectiveValues(GraphQLIncludeDirective, node, ctx.variableValues)?.if === false) return false;
  return true;
}

function collectInto(into: Selection, set: SelectionSetNode, typeName: string, ctx: Context, visited: Set<string>): boolean {
  for (const node of set.selections) {
    const include = included(node, ctx);
    if (include === null) return false;
    if (!include) continue;
    switch (node.kind) {
      case Kind.FIELD: {
        if (node.arguments?.length) return false;
        const responseKey = node.alias?.value ?? node.name.value;
        const existing = into.get(responseKey);
        if (existing) existing.nodes.push(node);
        else into.set(responseKey, { responseKey, name: node.name.value, nodes: [node] });
        break;
      }
      case Kind.INLINE_FRAGMENT:
        if (node.typeCondition && node.typeCondition.name.value !== typeName) return false;
        if (!collectInto(into, node.selectionSet, typeName, ctx, visited)) return false;
        break;
      case Kind.FRAGMENT_SPREAD: {
        const name = node.name.value;
        // graphql-js visits a named fragment once per selection set.
        if (visited.has(name)) continue;
        visited.add(name);
        const fragment = ctx.fragments[name];
        if (!fragment || fragment.typeCondition.name.value !== typeName) return false;
        if (!collectInto(into, fragment.selectionSet, typeName, ctx, visited)) return false;
        break;
      }
    }
  }
  return true;
}

/**
 * The merged selection of `fields` (all nodes of one response key) on the object type
 * `typeName`; `null` when something in it is beyond this module (see the module comment).
 */
export function selectionOf(fields: readonly FieldNode[], typeName: string, ctx: Context): Selection | null {
  const into: Selection = new Map();
  const visited = new Set<string>();
  for (const field of fields) {
    if (!field.selectionSet) continue;
    if (!collectInto(into, field.selectionSet, typeName, ctx, visited)) return null;
  }
  return into;
}
