/**
 * The MapLibre map: the offline basemap from the product's own outlines (or an external style when
 * configured), the API's vector tiles (villages, households or the protected grid, package items)
 * and the GeoJSON overlays of the open village and package. Tile requests get the bearer token in
 * their Authorization header through transformRequest; nothing else carries it.
 */
import * as maplibregl from 'maplibre-gl';
import type { ExpressionSpecification, GeoJSONSource, StyleSpecification } from 'maplibre-gl';
import 'maplibre-gl/dist/maplibre-gl.css';
import { session } from './api';
import { DESIL_COLOURS, FACILITY_KIND_COLOURS, facilityKind, OKABE_ITO, PRIORITY_STOPS } from './palette';
import type { ExistingFacility, PackageItem } from './types';

export type HouseholdStyle = 'pas' | 'rtlh' | 'desil';

const EMPTY: GeoJSON.FeatureCollection = { type: 'FeatureCollection', features: [] };
const WORKER_URL = new URL('./maplibre-gl-worker.mjs', import.meta.url).href;

function ownBasemap(): StyleSpecification {
  const base = new URL('./basemap/', import.meta.url).href;
  return {
    version: 8,
    sources: {
      kabkota: { type: 'geojson', data: `${base}kabkota.geojson` },
      kecamatan: { type: 'geojson', data: `${base}kecamatan.geojson` },
      coastline: { type: 'geojson', data: `${base}coastline.geojson` },
    },
    layers: [
      { id: 'sea', type: 'background', paint: { 'background-color': '#dfeaf2' } },
      { id: 'kabkota-fill', type: 'fill', source: 'kabkota', paint: { 'fill-color': '#f6f4ee' } },
      { id: 'kecamatan-line', type: 'line', source: 'kecamatan', minzoom: 9, paint: { 'line-color': '#b9b2a3', 'line-width': 0.7, 'line-dasharray': [3, 2] } },
      { id: 'kabkota-line', type: 'line', source: 'kabkota', paint: { 'line-color': '#8a8170', 'line-width': 1.4 } },
      { id: 'coastline', type: 'line', source: 'coastline', paint: { 'line-color': '#4f86b5', 'line-width': 1.2 } },
    ],
  };
}

export interface MapCallbacks {
  onHouseholdClick(id: string): void;
  onVillageClick(code: string): void;
  onSiteClick(lngLat: [number, number]): void;
  onTileAuthError(message: string): void;
}

export class PlanningMap {
  readonly map: maplibregl.Map;
  private ready: Promise<void>;
  private householdLayerKind: 'records' | 'grid' | null = null;
  private scored = new Set<number>();
  picking = false;

  constructor(container: HTMLElement, basemapStyleUrl: string | null, private callbacks: MapCallbacks) {
    maplibregl.setWorkerUrl(WORKER_URL);
    this.map = new maplibregl.Map({
      container,
      style: basemapStyleUrl ?? ownBasemap(),
      center: [110.4, -6.95],
      zoom: 7,
      attributionControl: { compact: true, customAttribution: 'Batas wilayah: Kemendagri/BIG · Garis pantai: Natural Earth' },
      transformRequest: (url) => {
        const sameOrigin = url.startsWith(`${location.origin}/tiles/`);
        return sameOrigin ? { url, headers: session.authHeaders() } : { url };
      },
    });
    this.map.getCanvas().setAttribute('aria-label', 'map');
    this.map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
    this.map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }), 'bottom-left');
    this.map.on('error', (event) => {
      const status = (event.error as { status?: number } | undefined)?.status;
      if (status === 401) callbacks.onTileAuthError('401');
    });
    // The style (not its GeoJSON data, nor a first frame) is all the API layers need: waiting for
    // 'load' would hold every tile request until the basemap's coastline is parsed.
    this.ready = new Promise((resolve) => (this.map.isStyleLoaded() ? resolve() : this.map.once('style.load', () => resolve())));
  }

  /** Adds the API's layers; with a village boundary the map first jumps there, so no overview tiles are asked for. */
  async init(canReadHouseholds: boolean, startAt: GeoJSON.MultiPolygon | null): Promise<void> {
    await this.ready;
    const m = this.map;
    if (startAt) m.fitBounds(boundsOf(startAt), { padding: 30, duration: 0, minZoom: 14 });
    const tiles = `${location.origin}/tiles`;
    m.addSource('villages', { type: 'vector', url: `${tiles}/villages.json`, promoteId: undefined });
    m.addSource('households', { type: 'vector', url: `${tiles}/households.json` });
    m.addSource('items', { type: 'vector', url: `${tiles}/package-items.json` });
    m.addSource('boundary', { type: 'geojson', data: EMPTY });
    m.addSource('reach', { type: 'geojson', data: EMPTY });
    m.addSource('facilities', { type: 'geojson', data: EMPTY });
    m.addSource('unserved', { type: 'geojson', data: EMPTY });
    m.addSource('existing', { type: 'geojson', data: EMPTY });
    m.addSource('existing-reach', { type: 'geojson', data: EMPTY });

    const score = ['feature-state', 'score'] as unknown as ExpressionSpecification;
    m.addLayer({
      id: 'villages-fill',
      type: 'fill',
      source: 'villages',
      'source-layer': 'villages',
      paint: {
        'fill-color': ['case', ['==', score, null], '#d9d9d9', ['interpolate', ['linear'], score, ...PRIORITY_STOPS.flat()]] as ExpressionSpecification,
        'fill-opacity': ['interpolate', ['linear'], ['zoom'], 10, 0.75, 14, 0.25],
      },
    });
    m.addLayer({ id: 'villages-line', type: 'line', source: 'villages', 'source-layer': 'villages', minzoom: 10, paint: { 'line-color': '#555', 'line-width': 0.5 } });

    if (canReadHouseholds) {
      this.householdLayerKind = 'records';
      m.addLayer({
        id: 'households',
        type: 'circle',
        source: 'households',
        'source-layer': 'households',
        paint: { 'circle-radius': ['interpolate', ['linear'], ['zoom'], 13, 2.5, 17, 6], 'circle-stroke-color': '#ffffff', 'circle-stroke-width': 0.6 },
      });
      m.addLayer({
        id: 'household-selected',
        type: 'circle',
        source: 'households',
        'source-layer': 'households',
        filter: ['==', ['id'], -1],
        paint: { 'circle-radius': 9, 'circle-color': 'rgba(0,0,0,0)', 'circle-stroke-color': OKABE_ITO.black, 'circle-stroke-width': 3 },
      });
      this.setHouseholdStyle('pas', null);
    } else {
      this.householdLayerKind = 'grid';
      m.addLayer({
        id: 'household-grid',
        type: 'fill',
        source: 'households',
        'source-layer': 'household_grid',
        paint: {
          'fill-color': ['interpolate', ['linear'], ['get', 'households'], 5, DESIL_COLOURS[8]!, 25, DESIL_COLOURS[5]!, 60, DESIL_COLOURS[2]!, 120, DESIL_COLOURS[0]!],
          'fill-opacity': 0.7,
          'fill-outline-color': '#ffffff',
        },
      });
    }
    m.addLayer({ id: 'boundary-line', type: 'line', source: 'boundary', paint: { 'line-color': OKABE_ITO.black, 'line-width': 2.5 } });
    m.addLayer({ id: 'unserved', type: 'circle', source: 'unserved', paint: { 'circle-radius': 7, 'circle-color': 'rgba(0,0,0,0)', 'circle-stroke-color': OKABE_ITO.purple, 'circle-stroke-width': 2.5 } });
    // Reach of existing facilities: a dashed grey ring (no fill, so planned reach stays readable above it).
    m.addLayer({ id: 'existing-reach-line', type: 'line', source: 'existing-reach', paint: { 'line-color': '#4d4d4d', 'line-width': 1.2, 'line-dasharray': [1, 2] } });
    m.addLayer({ id: 'reach-fill', type: 'fill', source: 'reach', paint: { 'fill-color': OKABE_ITO.green, 'fill-opacity': 0.12 } });
    m.addLayer({ id: 'reach-line', type: 'line', source: 'reach', paint: { 'line-color': OKABE_ITO.green, 'line-width': 1.5, 'line-dasharray': [2, 1] } });
    m.addLayer({
      id: 'other-facilities',
      type: 'circle',
      source: 'items',
      'source-layer': 'package_items',
      filter: ['==', ['get', 'target'], 'FACILITY'],
      paint: { 'circle-radius': 5, 'circle-color': OKABE_ITO.skyBlue, 'circle-stroke-color': OKABE_ITO.black, 'circle-stroke-width': 1 },
    });
    m.addLayer({
      id: 'existing-facilities',
      type: 'circle',
      source: 'existing',
      paint: {
        'circle-radius': 6,
        'circle-color': ['match', ['get', 'kind'], ...Object.entries(FACILITY_KIND_COLOURS).flat(), OKABE_ITO.grey] as unknown as ExpressionSpecification,
        'circle-stroke-color': '#ffffff',
        'circle-stroke-width': 2,
      },
    });
    m.addLayer({ id: 'facilities', type: 'circle', source: 'facilities', paint: { 'circle-radius': 8, 'circle-color': OKABE_ITO.green, 'circle-stroke-color': '#fff', 'circle-stroke-width': 2 } });

    m.on('click', (event) => {
      if (this.picking) {
        this.callbacks.onSiteClick([event.lngLat.lng, event.lngLat.lat]);
        return;
      }
      if (this.householdLayerKind === 'records') {
        const [hit] = m.queryRenderedFeatures(event.point, { layers: ['households'] });
        if (hit && hit.id !== undefined) {
          this.callbacks.onHouseholdClick(String(hit.id));
          return;
        }
      }
      if (m.getZoom() < 12) {
        const [village] = m.queryRenderedFeatures(event.point, { layers: ['villages-fill'] });
        const code = village?.properties?.code;
        if (typeof code === 'string') this.callbacks.onVillageClick(code);
      }
    });
    for (const layer of ['households', 'villages-fill']) {
      m.on('mouseenter', layer, () => (m.getCanvas().style.cursor = this.picking ? 'crosshair' : 'pointer'));
      m.on('mouseleave', layer, () => (m.getCanvas().style.cursor = this.picking ? 'crosshair' : ''));
    }
  }

  setPicking(on: boolean): void {
    this.picking = on;
    this.map.getCanvas().style.cursor = on ? 'crosshair' : '';
  }

  /** Priority scores per village code, as feature state; villages without one are drawn grey. */
  setVillageScores(scores: { code: string; score: number | null }[]): void {
    for (const id of this.scored) this.map.removeFeatureState({ source: 'villages', sourceLayer: 'villages', id });
    this.scored.clear();
    for (const { code, score } of scores) {
      if (score === null) continue;
      const id = Number(code.replace(/\./g, ''));
      this.map.setFeatureState({ source: 'villages', sourceLayer: 'villages', id }, { score });
      this.scored.add(id);
    }
  }

  setHouseholdStyle(mode: HouseholdStyle, pas: string | null): void {
    if (this.householdLayerKind !== 'records') return;
    const pasText = ['coalesce', ['get', 'pas'], ''] as ExpressionSpecification;
    const colour: ExpressionSpecification =
      mode === 'rtlh'
        ? ['case', ['==', ['get', 'is_rtlh'], true], OKABE_ITO.vermillion, OKABE_ITO.blue]
        : mode === 'desil'
          ? (['match', ['get', 'desil'], ...DESIL_COLOURS.flatMap((c, i) => [i + 1, c]), OKABE_ITO.grey] as unknown as ExpressionSpecification)
          : pas
            ? ['case', ['in', pas, pasText], OKABE_ITO.orange, '#c8c8c8']
            : ['case', ['!=', pasText, ''], OKABE_ITO.orange, OKABE_ITO.skyBlue];
    this.map.setPaintProperty('households', 'circle-color', colour);
  }

  /** Ids of the household points drawn in the current view (at most `limit`), ascending. */
  visibleHouseholdIds(limit: number): string[] {
    if (this.householdLayerKind !== 'records' || !this.map.getLayer('households')) return [];
    const ids = new Set<number>();
    for (const f of this.map.queryRenderedFeatures({ layers: ['households'] })) if (f.id !== undefined) ids.add(Number(f.id));
    return [...ids].sort((a, b) => a - b).slice(0, limit).map(String);
  }

  selectHousehold(id: string | null): void {
    if (this.householdLayerKind !== 'records') return;
    this.map.setFilter('household-selected', ['==', ['id'], id === null ? -1 : Number(id)]);
  }

  showVillage(boundary: GeoJSON.MultiPolygon | null): void {
    (this.map.getSource('boundary') as GeoJSONSource).setData(boundary ? { type: 'Feature', geometry: boundary, properties: {} } : EMPTY);
    if (boundary) this.map.fitBounds(boundsOf(boundary), { padding: 30, duration: 0, minZoom: 14 });
  }

  showPackage(items: PackageItem[], radiusMeters: number, unserved: GeoJSON.FeatureCollection | null): void {
    const sites = items.filter((i) => i.location);
    (this.map.getSource('facilities') as GeoJSONSource).setData({
      type: 'FeatureCollection',
      features: sites.map((i) => ({ type: 'Feature', geometry: i.location!, properties: { id: i.id, code: i.interventionCode } })),
    });
    (this.map.getSource('reach') as GeoJSONSource).setData({
      type: 'FeatureCollection',
      features: sites.map((i) => ({ type: 'Feature', geometry: circle(i.location!.coordinates as [number, number], radiusMeters), properties: { id: i.id } })),
    });
    (this.map.getSource('unserved') as GeoJSONSource).setData(unserved ?? EMPTY);
  }

  /** Existing public facilities of the village, coloured by kind, with their reach (radiusMeters) when shown. */
  showExistingFacilities(facilities: ExistingFacility[], radiusMeters: number, withReach: boolean): void {
    (this.map.getSource('existing') as GeoJSONSource).setData({
      type: 'FeatureCollection',
      features: facilities.map((f) => ({ type: 'Feature', geometry: { type: 'Point', coordinates: f.lonLat }, properties: { id: f.id, kind: facilityKind(f.kind), name: f.name } })),
    });
    (this.map.getSource('existing-reach') as GeoJSONSource).setData({
      type: 'FeatureCollection',
      features: withReach ? facilities.map((f) => ({ type: 'Feature', geometry: circle(f.lonLat, radiusMeters), properties: { id: f.id } })) : [],
    });
  }

  /** Shows or hides the reach circles of planned facilities (the package's sites). */
  setPlannedReachVisible(on: boolean): void {
    for (const layer of ['reach-fill', 'reach-line']) this.map.setLayoutProperty(layer, 'visibility', on ? 'visible' : 'none');
  }

  /** Resolves when every visible tile has loaded and the frame is drawn. */
  idle(): Promise<void> {
    return new Promise((resolve) => {
      if (this.map.loaded() && this.map.areTilesLoaded()) {
        this.map.once('idle', () => resolve());
        this.map.triggerRepaint();
      } else this.map.once('idle', () => resolve());
    });
  }
}

/** [west, south, east, north] of a MultiPolygon's outer rings, degrees (WGS84). */
/**
 * [west, south, east, north] of a boundary's outer rings. A village's boundary arrives as a
 * MultiPolygon or, where simplification merged its parts, a Polygon: both are read.
 */
function boundsOf(boundary: GeoJSON.MultiPolygon | GeoJSON.Polygon): [number, number, number, number] {
  let [w, s, e, n] = [180, 90, -180, -90];
  const polygons = boundary.type === 'Polygon' ? [boundary.coordinates] : boundary.coordinates;
  for (const polygon of polygons) {
    for (const [x, y] of polygon[0] ?? []) {
      w = Math.min(w, x!);
      e = Math.max(e, x!);
      s = Math.min(s, y!);
      n = Math.max(n, y!);
    }
  }
  return [w, s, e, n];
}

/** A geodesic-enough circle (64 vertices) of radiusMeters around [lon, lat] (WGS84), for drawing reach. */
function circle([lon, lat]: [number, number], radiusMeters: number): GeoJSON.Polygon {
  const ring: [number, number][] = [];
  const dLat = radiusMeters / 111_320;
  const dLon = dLat / Math.cos((lat * Math.PI) / 180);
  for (let i = 0; i <= 64; i++) {
    const a = (i / 64) * 2 * Math.PI;
    ring.push([lon + dLon * Math.cos(a), lat + dLat * Math.sin(a)]);
  }
  return { type: 'Polygon', coordinates: [ring] };
}
