import { GraphQLError, parseValue } from 'graphql';
import { describe, expect, it } from 'vitest';
import { RawJson, ResponseSplices, stringifyResult } from '../../src/graphql/raw-json.js';
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

describe('ResponseSplices.deferred', () => {
  it('leaves a placeholder in the body and gives the pieces back in its place, in order', () => {
    const splices = new ResponseSplices();
    const fc = splices.deferred(['{"type":"FeatureCollection","features":[', '{"a":"\\u0000"}', ',', '{"b":2}', ']}']);
    const other = splices.deferred(['[1,', '2]']);
    const body = stringifyResult({ data: { x: fc, y: 'text "quoted"', z: other, w: new RawJson('{"c":3}') } });
    const pieces = splices.bodyPieces(body);
    expect(pieces).toContain('{"b":2}');
    expect(JSON.parse(pieces.join(''))).toEqual({ data: { x: { type: 'FeatureCollection', features: [{ a: '\u0000' }, { b: 2 }] }, y: 'text "quoted"', z: [1, 2], w: { c: 3 } } });
    // Outside the HTTP writer the same value serialises as its parsed JSON.
    expect(JSON.parse(JSON.stringify({ x: fc }))).toEqual({ x: { type: 'FeatureCollection', features: [{ a: '\u0000' }, { b: 2 }] } });
  });

  it('writes a body without deferred values as it is', () => {
    expect(new ResponseSplices().bodyPieces('{"data":{}}')).toEqual(['{"data":{}}']);
  });
});
