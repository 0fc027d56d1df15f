import { GraphQLError, parseValue } from 'graphql';
import { describe, expect, it } from 'vitest';
import { RawJson, stringifyResult } from '../../src/graphql/raw-json.js';
import { GeoJSONScalar } from '../../src/geo/geojson.scalar.js';

const point = { type: 'Point', coordinates: [110.42, -6.95] };

describe('GeoJSON scalar', () => {
  it('serializes objects as they are and ST_AsGeoJSON text as raw JSON that stringifies to the same object', () => {
    expect(GeoJSONScalar.serialize(point)).toBe(point);
    const raw = GeoJSONScalar.serialize('{"type":"Point","coordinates":[110.42,-6.95]}');
    expect(raw).toBeInstanceOf(RawJson);
    expect(JSON.parse(JSON.stringify({ location: raw }))).toEqual({ location: point });
    expect(JSON.parse(stringifyResult({ data: { location: raw, name: 'x' } }))).toEqual({ data: { location: point, name: 'x' } });
    expect(() => GeoJSONScalar.serialize('not json')).toThrow(GraphQLError);
  });

  it('accepts an object variable and rejects a JSON-encoded string with a hint', () => {
    expect(GeoJSONScalar.parseValue(point)).toBe(point);
    expect(() => GeoJSONScalar.parseValue(JSON.stringify(point))).toThrow(/not a JSON-encoded string/);
    expect(() => GeoJSONScalar.parseValue([1, 2])).toThrow(/received an array/);
  });

  it('converts object literals, including nested variables, without checking geometry semantics', () => {
    const ast = parseValue('{ type: "Polygon", coordinates: [[[110.4, -6.96], [$lon, -6.96], [110, -7]]] }');
    expect(GeoJSONScalar.parseLiteral(ast, { lon: 110.44 })).toEqual({
      type: 'Polygon',
      coordinates: [[[110.4, -6.96], [110.44, -6.96], [110, -7]]],
    });
  });

  it('rejects non-object literals', () => {
    expect(() => GeoJSONScalar.parseLiteral(parseValue('"POINT(110 -7)"'), {})).toThrow(/received a StringValue literal/);
  });
});
