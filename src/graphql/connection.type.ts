import { type ClassType, Field, Int, ObjectType } from 'type-graphql';
import { type CursorKey, encodeCursor } from './pagination.js';

@ObjectType({ description: 'Relay page information. Cursors are opaque base64url strings; pass endCursor as `after` to get the next page.' })
export class PageInfo {
  @Field(() => Boolean, { description: 'Whether another page follows this one.' })
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true, description: 'Cursor of the last item of this page; null on an empty page.' })
  endCursor!: string | null;
}

/**
 * Builds `<Name>Edge` and `<Name>Connection` types for a node type. `totalCount` is computed
 * only when selected (it is a separate COUNT query), through the `countTotal` thunk.
 */
export function Connection<TNode extends object>(NodeClass: ClassType<TNode>, name: string) {
  @ObjectType(`${name}Edge`, { description: `An item of a ${name} page with its cursor.` })
  class Edge {
    @Field(() => NodeClass, { description: 'The item.' })
    node!: TNode;

    @Field(() => String, { description: 'Opaque cursor of this item.' })
    cursor!: string;
  }

  @ObjectType()
  abstract class ConnectionClass {
    @Field(() => [Edge], { description: 'The items of this page, in the connection order.' })
    edges!: Edge[];

    @Field(() => [NodeClass], { description: 'The items of this page without their cursors.' })
    nodes!: TNode[];

    @Field(() => PageInfo, { description: 'Whether more items follow, and the cursor to continue from.' })
    pageInfo!: PageInfo;

    countTotal!: () => Promise<number>;

    @Field(() => Int, { description: 'Number of items matching the filter across all pages (an exact COUNT).' })
    totalCount(): Promise<number> {
      return this.countTotal();
    }
  }
  return ConnectionClass;
}

/** Shapes a page of database rows: each row becomes a node, and its sort key the cursor. */
export function buildConnection<TRow, TNode, TConn extends object>(
  ConnectionClass: new () => TConn,
  page: { nodes: TRow[]; hasNextPage: boolean },
  toNode: (row: TRow) => TNode,
  sortKeyOf: (row: TRow) => CursorKey,
  countTotal: () => Promise<number>,
): TConn {
  const edges = page.nodes.map((row) => ({ node: toNode(row), cursor: encodeCursor(sortKeyOf(row)) }));
  const last = edges[edges.length - 1];
  const hasNextPage = page.hasNextPage;
  return Object.assign(new ConnectionClass() as object, {
    edges,
    nodes: edges.map((edge) => edge.node),
    pageInfo: { hasNextPage, endCursor: last ? last.cursor : null },
    countTotal,
  }) as TConn;
}
