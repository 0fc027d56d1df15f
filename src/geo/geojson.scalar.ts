/**
 * The `GeoJSON` scalar: a geometry object as in RFC 7946. It checks only that the value is a
 * JSON object; geometry semantics are validated by resolvers with `parseGeometryInput`, so an
 * error names the argument and the JSON path of the bad position.
 */
import { GraphQLError, GraphQLScalarType, Kind, valueFromASTUntyped } from 'graphql';
import { RawJson } from '../graphql/raw-json.js';

const describe = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const expectObject = (value: unknown): Record<string, unknown> => {
  if (isRecord(value)) return value;
  const hint = typeof value === 'string' ? ' Send the GeoJSON object itself, not a JSON-encoded string.' : '';
  throw new GraphQLError(
    `GeoJSON expects a geometry object such as {"type": "Polygon", "coordinates": [[[110.42, -6.95], ...]]}; received ${describe(value)}.${hint}`,
  );
};

export const GeoJSONScalar = new GraphQLScalarType<Record<string, unknown>, Record<string, unknown>>({
  name: 'GeoJSON',
  description:
    'A GeoJSON geometry object (RFC 7946) in WGS84 (EPSG:4326) with positions in [longitude, latitude] order, degrees.',
  specifiedByURL: 'https://datatracker.ietf.org/doc/html/rfc7946',
  // PostGIS hands geometry over as ST_AsGeoJSON / json_build_object text: it goes to the client as
  // that text (RawJson), without a parse and re-stringify. Objects pass through unchanged.
  serialize(value) {
    if (typeof value === 'string') {
      if (!value.startsWith('{')) throw new GraphQLError('GeoJSON cannot serialize a string that is not a JSON object.');
      return new RawJson(value) as unknown as Record<string, unknown>;
    }
    return expectObject(value);
  },
  parseValue: expectObject,
  parseLiteral(ast, variables) {
    if (ast.kind !== Kind.OBJECT) {
      throw new GraphQLError(
        `GeoJSON expects an object literal such as {type: "Point", coordinates: [110.42, -6.95]}; received a ${ast.kind} literal.`,
        { nodes: ast },
      );
    }
    return expectObject(valueFromASTUntyped(ast, variables));
  },
});
