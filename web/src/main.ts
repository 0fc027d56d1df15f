/**
 * Kampung Terpadu web app: choose a village, see it, compose its package, follow it through.
 * One page, four tabs beside one map. Every number comes from the API as the signed-in role may
 * see it (null counts are shown as suppressed); controls for actions the role may not take are not
 * offered (roles.ts), and whatever the API refuses anyway is shown with the API's reason.
 */
import pointInPolygon from '@turf/boolean-point-in-polygon';
import { ApiError, gql, session, type Claims } from './api';
import { field, h, mount, swatch } from './dom';
import { count, getLang, rupiah, setLang, t, type Lang } from './i18n';
import { PlanningMap, type HouseholdStyle } from './map';
import { DESIL_COLOURS, FACILITY_KIND_COLOURS, facilityKind, OKABE_ITO, PRIORITY_STOPS } from './palette';
import * as Q from './queries';
import { capabilities, NEXT_STATUSES, VIEWER, type Capabilities, type ProgressScope, type ViewerAnswer, type VillageCapabilities } from './roles';
import './styles.css';
import type {
  AuditEntry, Caseload, Coverage, Eligibility, Funder, GraduationTarget, GraduationTargets, Household, Intervention, Package, PackageApproval, PackageStatus, PackageSummary,
  PackageTimeline, Village, VillageSummary,
} from './types';

type Tab = 'villages' | 'village' | 'package' | 'progress';
interface Filter { search: string; regencyCode: string; coastal: string; fishing: string; minDesil: string; minRtlh: string; pas: string; minPas: string }

const RADIUS_M = 500;
/** Pilot villages named in the program's announcements (docs: DOMAIN.md), openable in one step. */
const PILOTS: [string, string][] = [['Tanjung Mas (Tambak Lorok)', '33.74.02.1008'], ['Eretan Kulon', '32.12.21.2012']];
const state = {
  caps: null as Capabilities | null,
  tab: 'villages' as Tab,
  filter: { search: '', regencyCode: '', coastal: '', fishing: '', minDesil: '', minRtlh: '', pas: '', minPas: '' } as Filter,
  ranking: [] as VillageSummary[],
  rankingTotal: 0,
  regencies: [] as { code: string; name: string }[],
  funders: [] as Funder[],
  interventions: [] as Intervention[],
  village: null as Village | null,
  household: null as Household | null,
  eligibility: [] as Eligibility[],
  householdStyle: 'pas' as HouseholdStyle,
  pasHighlight: '',
  packages: [] as PackageSummary[],
  pkg: null as Package | null,
  previousCoverage: null as Coverage | null,
  audit: null as AuditEntry[] | null,
  /** packageTimeline and packageApproval of the open package, as the API answered them for this role. */
  timeline: null as PackageTimeline | null,
  approval: null as PackageApproval | null,
  /** The API's reason when it refused this user's sign-off (shown beside the control). */
  signoffRefusal: null as string | null,
  /** The progress record being written (kept across re-renders; the evidence file too) and the API's last refusal of one. */
  record: { itemId: '', progress: 'IN_PROGRESS', on: '', note: '', lon: '', lat: '', evidence: null as File | null },
  recordRefusal: null as string | null,
  /** What a map click in picking mode is for: siting a facility or the point of a progress record. */
  pickFor: 'site' as 'site' | 'progress',
  facilityCode: '',
  overBudgetReason: '',
  message: null as { kind: 'info' | 'error'; text: string } | null,
  /** Reach circles (existing and planned facilities) on the map. */
  showReach: true,
  /** Follow-through figures of the open village, as the API answered them (null until loaded). */
  follow: null as { villageCode: string; targets: GraduationTargets | null; caseload: Caseload | null } | null,
};
let map: PlanningMap | null = null;
let basemapStyleUrl: string | null = null;
let legendOpen = window.innerWidth > 900;

const root = document.getElementById('app')!;

// ---------------------------------------------------------------------------------------------
// Shell: sign-in, header, tabs

function renderSignIn(notice?: string): void {
  document.title = t('appTitle');
  const input = h('textarea', { id: 'token', rows: 4, required: true, autocomplete: 'off', spellcheck: 'false' });
  const error = h('p', { class: 'error', role: 'alert' }, notice ?? '');
  const form = h(
    'form',
    { class: 'signin', 'aria-labelledby': 'signin-title' },
    h('h1', { id: 'signin-title' }, t('signInTitle')),
    h('p', {}, t('signInHelp')),
    field(t('token'), input),
    h('button', { type: 'submit' }, t('signIn')),
    error,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    try {
      const claims = session.signIn(input.value);
      void start(claims);
    } catch (e) {
      error.textContent = t('badToken', (e as Error).message);
    }
  });
  mount(root, header(null), h('main', { class: 'signin-wrap' }, form));
  input.focus();
}

function header(claims: Claims | null): HTMLElement {
  const lang = h('select', { id: 'lang', 'aria-label': t('language') }, h('option', { value: 'id' }, 'Bahasa Indonesia'), h('option', { value: 'en' }, 'English'));
  lang.value = getLang();
  lang.addEventListener('change', () => {
    setLang(lang.value as Lang);
    if (session.claims) renderShell();
    else renderSignIn();
  });
  return h(
    'header',
    { class: 'top' },
    h('span', { class: 'brand' }, t('appTitle')),
    h('span', { class: 'spacer' }),
    claims ? h('span', { class: 'role', 'data-testid': 'role' }, `${t('role')}: ${claims.role}${claims.org ? ` · ${claims.org}` : ''}`) : null,
    lang,
    claims
      ? h('button', { type: 'button', onclick: () => { session.signOut(); location.reload(); } }, t('signOut'))
      : null,
  );
}

const TABS: Tab[] = ['villages', 'village', 'package', 'progress'];
const tabLabel = (tab: Tab) => ({ villages: t('tabVillages'), village: t('tabVillage'), package: t('tabPackage'), progress: t('tabProgress') })[tab];

let panel: HTMLElement;
let statusLine: HTMLElement;
let legend: HTMLElement;

function renderShell(): void {
  document.title = t('appTitle');
  const tabs = h('div', { role: 'tablist', 'aria-label': t('appTitle'), class: 'tabs' });
  for (const tab of TABS) {
    const button = h('button', { type: 'button', role: 'tab', id: `tab-${tab}`, 'aria-selected': String(state.tab === tab), 'aria-controls': 'panel', tabindex: state.tab === tab ? 0 : -1 }, tabLabel(tab));
    button.addEventListener('click', () => selectTab(tab));
    button.addEventListener('keydown', (event) => {
      const i = TABS.indexOf(tab);
      if (event.key === 'ArrowRight' || event.key === 'ArrowLeft') {
        const next = TABS[(i + (event.key === 'ArrowRight' ? 1 : TABS.length - 1)) % TABS.length]!;
        selectTab(next);
        document.getElementById(`tab-${next}`)?.focus();
      }
    });
    tabs.append(button);
  }
  panel = h('section', { id: 'panel', role: 'tabpanel', 'aria-labelledby': `tab-${state.tab}`, class: 'panel-body' });
  statusLine = h('div', { class: 'status', role: 'status', 'aria-live': 'polite', 'data-testid': 'status' });
  legend = h('div', { class: 'legend', 'aria-label': 'legend', 'data-testid': 'legend' });
  const mapEl = map?.map.getContainer() ?? h('div', { id: 'map', role: 'region', 'aria-label': t('mapLabel') });
  mount(root, header(session.claims), h('main', { class: 'layout' }, h('aside', { class: 'panel' }, tabs, statusLine, panel), h('div', { class: 'map-wrap' }, mapEl, legend)));
  renderStatus();
  renderTab();
  renderLegend();
  map?.map.resize();
}

function selectTab(tab: Tab): void {
  state.tab = tab;
  for (const t2 of TABS) {
    const el = document.getElementById(`tab-${t2}`);
    el?.setAttribute('aria-selected', String(t2 === tab));
    el?.setAttribute('tabindex', t2 === tab ? '0' : '-1');
  }
  panel.setAttribute('aria-labelledby', `tab-${tab}`);
  renderTab();
}

function renderTab(): void {
  if (state.tab === 'villages') renderVillages();
  else if (state.tab === 'village') renderVillage();
  else if (state.tab === 'package') renderPackage();
  else renderProgress();
}

function say(kind: 'info' | 'error', text: string): void {
  state.message = { kind, text };
  renderStatus();
}
function renderStatus(): void {
  if (!statusLine) return;
  const m = state.message;
  statusLine.className = `status ${m?.kind ?? ''}`;
  mount(statusLine, m ? h('span', {}, m.text) : null, m ? h('button', { type: 'button', class: 'link', onclick: () => { state.message = null; renderStatus(); } }, t('close')) : null);
}

async function guarded<T>(work: () => Promise<T>): Promise<T | undefined> {
  try {
    return await work();
  } catch (e) {
    if (e instanceof ApiError && e.code === 'UNAUTHENTICATED') return undefined;
    say('error', e instanceof ApiError ? t('refused', e.message) : t('error', (e as Error).message));
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Start-up

async function start(claims: Claims): Promise<void> {
  void claims;
  // What to offer comes from the API (viewer), not from decoding the token's role.
  const viewer = gql<{ viewer: ViewerAnswer }>(VIEWER);
  const code = /^#village=([\d.]+)$/.exec(location.hash)?.[1];
  type Opened = { village: Village; viewer: { villageCapabilities: VillageCapabilities } };
  const village = code ? guarded(() => gql<Opened>(Q.VILLAGE, { code })) : Promise.resolve(undefined);
  const answered = await guarded(() => viewer);
  if (!answered) return;
  state.caps = capabilities(answered.viewer);
  renderShell();
  say('info', t('loading'));
  // Requests start at once, beside the map's own start-up; a village in the URL is fetched first so
  // the map opens on it and never asks for the overview tiles.
  const catalog = guarded(() => gql<{ funders: Funder[]; interventions: Intervention[] }>(Q.CATALOG));
  if (!map) {
    map = new PlanningMap(document.getElementById('map')!, basemapStyleUrl, {
      onHouseholdClick: (id) => void openHousehold(id),
      onVillageClick: (c) => void openVillage(c),
      onSiteClick: (lngLat) => (state.pickFor === 'progress' ? setRecordPoint(lngLat) : void siteFacility(lngLat)),
      onTileAuthError: () => void gql(Q.CATALOG).catch(() => undefined), // the GraphQL call reports the API's reason
    });
    (window as unknown as { __kt: unknown }).__kt = { map: map.map, idle: () => map!.idle() };
  }
  const opened = await village;
  if (code && opened) performance.mark('village:navigate');
  await map.init(state.caps.readHouseholds, opened?.village.boundary ?? null);
  const loaded = await catalog;
  if (!session.claims) return;
  if (loaded) {
    state.funders = loaded.funders;
    state.interventions = loaded.interventions;
  }
  void loadRegencies();
  state.message = null;
  renderStatus();
  if (opened) {
    // The ranking's queries would queue before the village's tiles on a one-connection database.
    await showVillage(opened.village, opened.viewer.villageCapabilities);
    void loadRanking();
  } else await loadRanking();
}

async function loadRegencies(): Promise<void> {
  const response = await fetch(new URL('./basemap/kabkota.geojson', import.meta.url));
  const fc = (await response.json()) as GeoJSON.FeatureCollection;
  state.regencies = fc.features
    .map((f) => ({ code: String(f.properties?.kode ?? ''), name: String(f.properties?.nama ?? '') }))
    .filter((r) => r.code)
    .sort((a, b) => a.name.localeCompare(b.name));
  if (state.tab === 'villages') renderVillages();
}

// ---------------------------------------------------------------------------------------------
// Choose a village

function villageFilter(): Record<string, unknown> {
  const f = state.filter;
  const out: Record<string, unknown> = { hasBoundary: true };
  if (f.search.trim()) out.search = f.search.trim();
  if (f.regencyCode) out.regencyCode = f.regencyCode;
  if (f.coastal) out.coastal = f.coastal === 'yes';
  if (f.fishing) out.fishingVillage = f.fishing === 'yes';
  if (Number(f.minDesil) > 0) out.minHouseholdsInDesil = { atLeast: Number(f.minDesil), maxDesil: 2 };
  if (Number(f.minRtlh) > 0) out.minRtlhHouseholds = Number(f.minRtlh);
  if (f.pas) out.minHouseholdsWithPas = [{ pas: f.pas, atLeast: Math.max(1, Number(f.minPas) || 1) }];
  return out;
}

async function loadRanking(): Promise<void> {
  await guarded(async () => {
    const filter = villageFilter();
    const [ranking] = await Promise.all([
      gql<{ villages: { totalCount: number; nodes: VillageSummary[] } }>(Q.VILLAGE_RANKING, { filter, first: 30 }),
      colourVillages(filter),
    ]);
    state.ranking = ranking.villages.nodes;
    state.rankingTotal = ranking.villages.totalCount;
    if (state.tab === 'villages') renderVillages();
  });
}

async function colourVillages(filter: Record<string, unknown>): Promise<void> {
  const scores: { code: string; score: number | null }[] = [];
  let after: string | null = null;
  for (let page = 0; page < 10; page++) {
    const result: { villages: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: { code: string; priority: { score: number } | null }[] } } =
      await gql(Q.VILLAGE_SCORES, { filter, after });
    scores.push(...result.villages.nodes.map((n) => ({ code: n.code, score: n.priority?.score ?? null })));
    if (!result.villages.pageInfo.hasNextPage) break;
    after = result.villages.pageInfo.endCursor;
  }
  map?.setVillageScores(scores);
}

function renderVillages(): void {
  const f = state.filter;
  const input = (key: keyof Filter, attrs: Record<string, string>) => {
    const el = h('input', { ...attrs, value: f[key] });
    el.addEventListener('input', () => (f[key] = el.value));
    return el;
  };
  const select = (key: keyof Filter, options: [string, string][]) => {
    const el = h('select', {}, ...options.map(([v, label]) => h('option', { value: v }, label)));
    el.value = f[key];
    el.addEventListener('change', () => (f[key] = el.value));
    return el;
  };
  const yesNo: [string, string][] = [['', t('any')], ['yes', t('yes')], ['no', t('no')]];
  const pasOptions: [string, string][] = [['', t('any')], ...state.caps!.visiblePas.map((p): [string, string] => [p, p])];
  const form = h(
    'form',
    { class: 'filters', 'aria-label': t('filters') },
    field(t('search'), input('search', { type: 'search', 'data-testid': 'village-search' })),
    field(t('region'), select('regencyCode', [['', t('any')], ...state.regencies.map((r): [string, string] => [r.code, `${r.name} (${r.code})`])])),
    h('div', { class: 'row' }, field(t('coastal'), select('coastal', yesNo)), field(t('fishing'), select('fishing', yesNo))),
    h('div', { class: 'row' }, field(t('minDesil'), input('minDesil', { type: 'number', min: '0', inputmode: 'numeric' })), field(t('minRtlh'), input('minRtlh', { type: 'number', min: '0', inputmode: 'numeric' }))),
    h('div', { class: 'row' }, field(t('pasFilter'), select('pas', pasOptions)), field(t('minPas'), input('minPas', { type: 'number', min: '1', inputmode: 'numeric' }))),
    h('button', { type: 'submit' }, t('apply')),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void loadRanking();
  });
  const list = h('ol', { class: 'ranking', 'data-testid': 'ranking' });
  for (const v of state.ranking) {
    const s = v.needStatistics;
    list.append(
      h(
        'li',
        {},
        h('button', { type: 'button', class: 'village-button', 'data-code': v.code, onclick: () => void openVillage(v.code) },
          h('span', { class: 'vname' }, `${v.name}`),
          h('span', { class: 'vscore' }, v.priority ? v.priority.score.toFixed(1) : '—'),
        ),
        h('div', { class: 'vmeta' }, `${v.code} · ${v.district.name}, ${v.regency.name}${v.coastal?.isCoastal ? ` · ${t('coastal')}` : ''}`),
        h('div', { class: 'vmeta' }, `${t('households')} ${count(s.households)} · ${t('desil12')} ${count(s.householdsDesil1To2)} · ${t('rtlh')} ${count(s.rtlhHouseholds)}`),
        v.priority ? scoreBar(v.priority.components) : null,
      ),
    );
  }
  const pilots = h('div', { class: 'pilots' }, h('span', { class: 'vmeta' }, `${t('pilots')}: `),
    PILOTS.map(([name, code]) => h('button', { type: 'button', class: 'link', onclick: () => void openVillage(code) }, name)));
  mount(panel, pilots, form, h('h2', {}, t('ranked', state.rankingTotal)), list);
}

function componentName(name: string): string {
  return ({ poverty: t('poverty'), housing: t('housing'), vulnerability: t('vulnerability'), fishing: t('fishingC'), coastal: t('coastalC') } as Record<string, string>)[name] ?? name;
}

/** The score as its components: a stacked bar and the points of each, in words. */
function scoreBar(components: { name: string; points: number }[]): HTMLElement {
  const colours = [OKABE_ITO.vermillion, OKABE_ITO.orange, OKABE_ITO.purple, OKABE_ITO.blue, OKABE_ITO.skyBlue];
  const bar = h('div', { class: 'scorebar', 'aria-hidden': 'true' });
  components.forEach((c, i) => {
    const part = h('span');
    part.style.width = `${Math.max(0, c.points)}%`;
    part.style.background = colours[i % colours.length]!;
    bar.append(part);
  });
  const words = h('div', { class: 'vmeta components' }, components.map((c, i) => h('span', {}, swatch(colours[i % colours.length]!, 'dot'), `${componentName(c.name)} ${c.points.toFixed(1)}`)));
  return h('div', { 'aria-label': t('components') }, bar, words);
}

// ---------------------------------------------------------------------------------------------
// See the village

async function openVillage(code: string): Promise<void> {
  performance.clearMarks();
  performance.mark('village:navigate');
  const data = await guarded(() => gql<{ village: Village; viewer: { villageCapabilities: VillageCapabilities } }>(Q.VILLAGE, { code }));
  if (data) await showVillage(data.village, data.viewer.villageCapabilities);
}

async function showVillage(village: Village, allowed: VillageCapabilities): Promise<void> {
  state.caps?.setVillage(allowed);
  state.follow = null;
  state.household = null;
  state.eligibility = [];
  state.pkg = null;
  state.previousCoverage = null;
  state.audit = null;
  state.village = village;
  history.replaceState(null, '', `#village=${village.code}`);
  map?.showVillage(village.boundary);
  map?.showPackage([], RADIUS_M, null);
  map?.showExistingFacilities(village.existingFacilities, RADIUS_M, state.showReach);
  map?.selectHousehold(null);
  selectTab('village');
  renderLegend();
  void loadPackages();
  // The village view counts as shown when the map has drawn every tile of it (households included).
  await map?.idle();
  performance.mark('village:ready');
  performance.measure('village-view', 'village:navigate', 'village:ready');
  document.body.dataset.villageReady = village.code;
}

function renderVillage(): void {
  const v = state.village;
  if (!v) {
    mount(panel, h('p', {}, t('selectVillageFirst')));
    return;
  }
  const s = v.needStatistics;
  const stats = h('dl', { class: 'stats', 'data-testid': 'village-stats' },
    h('dt', {}, t('households')), h('dd', {}, count(s.households)),
    h('dt', {}, t('desil12')), h('dd', {}, count(s.householdsDesil1To2)),
    h('dt', {}, t('rtlh')), h('dd', {}, count(s.rtlhHouseholds)),
    h('dt', {}, t('vulnerable')), h('dd', {}, count(s.vulnerableHouseholds)),
    h('dt', {}, t('priority')), h('dd', {}, v.priority ? v.priority.score.toFixed(1) : '—'),
  );
  const parts: (HTMLElement | null)[] = [
    h('h2', { 'data-testid': 'village-name' }, `${v.name} (${v.code})`),
    h('p', { class: 'vmeta' }, `${v.district.name}, ${v.regency.name}${v.coastal?.isCoastal ? ` · ${t('coastal')}` : ''}`),
    stats,
    v.priority ? scoreBar(v.priority.components) : null,
    existingFacilitiesSection(v),
  ];
  const caps = state.caps!;
  if (caps.readHouseholds) {
    const modes: [HouseholdStyle, string][] = [['pas', t('byPas')], ['rtlh', t('byRtlh')], ['desil', t('byDesil')]];
    const group = h('fieldset', { class: 'styleby' }, h('legend', {}, t('styleBy')),
      ...modes.map(([mode, label]) => {
        const radio = h('input', { type: 'radio', name: 'hhstyle', value: mode, id: `style-${mode}`, checked: state.householdStyle === mode });
        radio.addEventListener('change', () => {
          state.householdStyle = mode;
          map?.setHouseholdStyle(mode, state.pasHighlight || null);
          renderLegend();
          renderVillage();
        });
        return h('span', { class: 'radio' }, radio, h('label', { for: `style-${mode}` }, label));
      }),
    );
    parts.push(group);
    if (state.householdStyle === 'pas') {
      const pas = h('select', { 'data-testid': 'pas-highlight' }, h('option', { value: '' }, t('anyPas')), ...caps.visiblePas.map((p) => h('option', { value: p }, p)));
      pas.value = state.pasHighlight;
      pas.addEventListener('change', () => {
        state.pasHighlight = pas.value;
        map?.setHouseholdStyle('pas', pas.value || null);
        renderLegend();
      });
      parts.push(field(t('pasFilter'), pas));
    }
    if (caps.role === 'PARTNER') parts.push(h('p', { class: 'note' }, t('partnerNote')));
    parts.push(householdPicker());
    parts.push(renderHouseholdPanel());
  } else {
    parts.push(h('p', { class: 'note', 'data-testid': 'grid-note' }, t('gridNote')));
  }
  mount(panel, ...parts);
}

function kindName(kind: string): string {
  return t(`kind_${facilityKind(kind)}` as Parameters<typeof t>[0]);
}

/** Existing facilities in words (colour is not the only cue), and the switch for reach circles. */
function existingFacilitiesSection(v: Village): HTMLElement {
  const reach = h('input', { type: 'checkbox', id: 'show-reach', checked: state.showReach, 'data-testid': 'show-reach' });
  reach.addEventListener('change', () => {
    state.showReach = reach.checked;
    map?.showExistingFacilities(v.existingFacilities, RADIUS_M, state.showReach);
    map?.setPlannedReachVisible(state.showReach);
  });
  const list = h('ul', { class: 'facilities', 'data-testid': 'existing-facilities' },
    v.existingFacilities.map((f) => h('li', {}, swatch(FACILITY_KIND_COLOURS[facilityKind(f.kind)]!, 'dot'),
      h('strong', {}, f.name), ` — ${kindName(f.kind)} · ${f.accessible ? t('accessibleYes') : t('accessibleNo')}${f.serves.length ? ` · ${t('serves')} ${f.serves.join(', ')}` : ''}`)));
  return h('details', { class: 'existing', open: v.existingFacilities.length > 0 && v.existingFacilities.length <= 12 },
    h('summary', {}, `${t('existingFacilities')} (${v.existingFacilities.length})`),
    v.existingFacilities.length ? list : h('p', { class: 'note' }, t('noExisting')),
    h('span', { class: 'radio' }, reach, h('label', { for: 'show-reach' }, t('showReach', RADIUS_M))));
}

/** The keyboard way to a household: the points drawn in the current view, as a list. */
function householdPicker(): HTMLElement {
  const select = h('select', { 'data-testid': 'household-picker' }, h('option', { value: '' }, '—'));
  const fill = () => {
    const ids = map?.visibleHouseholdIds(300) ?? [];
    select.replaceChildren(h('option', { value: '' }, `— (${ids.length})`), ...ids.map((id) => h('option', { value: id }, `RT ${id}`)));
    if (state.household) select.value = state.household.id;
  };
  select.addEventListener('focus', fill);
  select.addEventListener('change', () => select.value && void openHousehold(select.value));
  fill();
  return field(t('householdsInView'), select);
}

async function openHousehold(id: string): Promise<void> {
  if (!state.caps?.readHouseholds) return;
  map?.selectHousehold(id);
  const data = await guarded(() => gql<{ household: Household }>(Q.HOUSEHOLD, { id }));
  if (!data) return;
  state.household = data.household;
  state.eligibility = [];
  if (state.tab !== 'village') selectTab('village');
  else renderVillage();
  const eligibility = await guarded(() => gql<{ eligibility: Eligibility[] }>(Q.ELIGIBILITY, { householdId: id }));
  if (eligibility && state.household?.id === id) {
    state.eligibility = eligibility.eligibility;
    if (state.tab === 'village') renderVillage();
  }
}

function renderHouseholdPanel(): HTMLElement {
  const hh = state.household;
  if (!hh) return h('section', { class: 'household', 'aria-label': t('householdPanel') }, h('p', { class: 'note' }, t('clickHousehold')));
  const caps = state.caps!;
  const rows: [string, string][] = [
    [t('head'), hh.identity.headName],
    [t('address'), hh.identity.address],
    ...(hh.identity.headNikMasked ? [[t('nik'), hh.identity.headNikMasked] as [string, string]] : []),
    ...(hh.identity.familyCardNumberMasked ? [[t('kk'), hh.identity.familyCardNumberMasked] as [string, string]] : []),
    ['Desil', String(hh.desil)],
    ['PAS', hh.pas.join(', ') || '—'],
    [t('rtlh'), hh.rtlh.isRtlh ? `${t('yes')} — ${hh.rtlh.reasons.map((r) => r.explanation).join('; ')}` : t('no')],
    [t('members'), hh.members.map((m) => `${m.relation.toLowerCase()} ${m.age}${m.disability ? ` (${m.disability.toLowerCase()})` : ''}`).join(', ')],
    [t('livelihood'), hh.livelihood],
    [t('mustahik'), hh.isMustahik ? t('yes') : t('no')],
  ];
  const editable = state.pkg && caps.canPlan(state.pkg.villageCode) && ['DRAFT', 'ASSESSED', 'PLANNED'].includes(state.pkg.status);
  const eligibilityList = h('ul', { class: 'eligibility', 'data-testid': 'eligibility' });
  for (const e of state.eligibility) {
    const name = getLang() === 'id' ? e.intervention.nameId : e.intervention.nameEn;
    const failed = e.parts.filter((p) => !p.passed);
    const add = editable && e.eligible && e.intervention.target !== 'FACILITY'
      ? h('button', { type: 'button', class: 'small', 'data-add': e.intervention.code, onclick: () => void addHouseholdItem(hh.id, e) }, t('addToPackage'))
      : null;
    eligibilityList.append(
      h('li', { class: e.eligible ? 'ok' : 'no' },
        h('strong', {}, `${e.eligible ? '✓' : '✗'} ${name}`), ` (${e.intervention.funderCode}, ${rupiah(e.intervention.unitCostIdr)}) `,
        add,
        h('div', { class: 'vmeta' }, (e.eligible ? e.parts : failed).map((p) => `${p.label}: ${p.actual} (${p.expected})`).join(' · ')),
      ),
    );
  }
  return h(
    'section',
    { class: 'household', 'aria-label': t('householdPanel'), 'data-testid': 'household-panel' },
    h('h3', {}, `${t('householdPanel')} ${hh.id} · ${hh.registryId}`),
    h('dl', { class: 'stats' }, rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
    h('h4', {}, t('eligibility')),
    !caps.canPlan(hh.villageCode) ? null : !state.pkg ? h('p', { class: 'note' }, t('needPackage')) : !editable ? h('p', { class: 'note' }, t('notEditable', state.pkg.status)) : null,
    eligibilityList,
  );
}

// ---------------------------------------------------------------------------------------------
// Compose the package

async function loadPackages(): Promise<void> {
  const v = state.village;
  if (!v) return;
  const data = await guarded(() => gql<{ packages: { nodes: PackageSummary[] } }>(Q.PACKAGES, { villageCode: v.code }));
  state.packages = data?.packages.nodes ?? [];
  if (state.tab === 'package' || state.tab === 'progress') renderTab();
}

/** Opening a package from the list reads it and the list afresh: others (a second approver, a funder) may have moved it. */
async function reopen(id: string): Promise<void> {
  await openPackage(id);
  await loadPackages();
}

async function openPackage(id: string): Promise<void> {
  const previous = state.pkg?.id === id ? state.pkg.coverage : null;
  const data = await guarded(() => gql<{ package: Package }>(Q.PACKAGE, { id, radius: RADIUS_M }));
  if (!data) return;
  state.previousCoverage = previous;
  if (state.pkg?.id !== id) {
    state.signoffRefusal = null;
    state.recordRefusal = null;
    state.record = { ...state.record, itemId: '', note: '', evidence: null };
  }
  state.pkg = data.package;
  state.audit = null;
  state.timeline = null;
  state.approval = null;
  let unserved: GeoJSON.FeatureCollection | null = null;
  if (state.caps!.readHouseholds) {
    const u = await guarded(() => gql<{ package: { unservedFeatureCollection: GeoJSON.FeatureCollection } }>(Q.PACKAGE_UNSERVED, { id }));
    unserved = u?.package.unservedFeatureCollection ?? null;
  }
  map?.showPackage(state.pkg.items, state.pkg.coverage.radiusMeters, unserved);
  if (state.caps!.canReadAudit(state.pkg.villageCode)) {
    const a = await guarded(() => gql<{ package: { audit: AuditEntry[] } }>(Q.PACKAGE_AUDIT, { id }));
    state.audit = a?.package.audit ?? null;
  }
  // Timeline and approval carry no household data: every role that reads the package asks them.
  const [timeline, approval] = await Promise.all([
    guarded(() => gql<{ packageTimeline: PackageTimeline }>(Q.PACKAGE_TIMELINE, { id })),
    guarded(() => gql<{ packageApproval: PackageApproval }>(Q.PACKAGE_APPROVAL, { id })),
  ]);
  if (state.pkg?.id !== id) return;
  state.timeline = timeline?.packageTimeline ?? null;
  state.approval = approval?.packageApproval ?? null;
  renderTab();
  renderLegend();
}

/** Runs a package change; a stale version reloads the package and says what changed meanwhile. */
async function change(work: (pkg: Package) => Promise<unknown>, done?: string): Promise<boolean> {
  const before = state.pkg;
  if (!before) return false;
  try {
    await work(before);
    await openPackage(before.id);
    await loadPackages();
    if (done) say('info', done);
    return true;
  } catch (e) {
    if (!(e instanceof ApiError)) {
      say('error', t('error', (e as Error).message));
      return false;
    }
    if (e.code === 'UNAUTHENTICATED') return false;
    if (e.code === 'CONFLICT' && e.details.currentVersion !== undefined) {
      await openPackage(before.id);
      await loadPackages();
      const after = state.pkg!;
      const what: string[] = [];
      if (after.status !== before.status) what.push(t('changedStatus', before.status, after.status));
      if (after.items.length !== before.items.length) what.push(t('changedItems', before.items.length, after.items.length));
      if (after.totalCostIdr !== before.totalCostIdr) what.push(t('changedCost', rupiah(before.totalCostIdr), rupiah(after.totalCostIdr)));
      if (JSON.stringify(after.budgets.map((b) => [b.funderCode, b.budgetIdr])) !== JSON.stringify(before.budgets.map((b) => [b.funderCode, b.budgetIdr]))) what.push(t('changedBudgets'));
      say('error', t('conflict', before.version, after.version, what.join('; ') || t('conflictNothing')));
      return false;
    }
    say('error', t('refused', e.message));
    return false;
  }
}

async function addHouseholdItem(householdId: string, e: Eligibility): Promise<void> {
  const item: Record<string, unknown> = { interventionCode: e.intervention.code, householdId };
  if (e.intervention.target === 'PERSON') item.memberId = e.eligibleMemberIds[0];
  if (state.overBudgetReason.trim()) item.overBudgetReason = state.overBudgetReason.trim();
  await change((pkg) => gql(Q.ADD_ITEM, { packageId: pkg.id, version: pkg.version, item }), t('itemAdded'));
  if (state.tab === 'village') renderVillage();
}

async function siteFacility([lon, lat]: [number, number]): Promise<void> {
  const v = state.village;
  const code = state.facilityCode;
  if (!v?.boundary || !code) return;
  const where = `${lon.toFixed(5)}, ${lat.toFixed(5)}`;
  if (!pointInPolygon([lon, lat], v.boundary)) {
    say('error', t('outsideBoundary', where, v.name));
    return; // stay in picking mode: the next click may be inside
  }
  map?.setPicking(false);
  const item: Record<string, unknown> = { interventionCode: code, locationWgs84: [lon, lat] };
  if (state.overBudgetReason.trim()) item.overBudgetReason = state.overBudgetReason.trim();
  await change((pkg) => gql(Q.ADD_ITEM, { packageId: pkg.id, version: pkg.version, item }), t('itemAdded'));
}

function interventionName(code: string): string {
  const i = state.interventions.find((x) => x.code === code);
  return i ? (getLang() === 'id' ? i.nameId : i.nameEn) : code;
}

function renderPackage(): void {
  const v = state.village;
  if (!v) {
    mount(panel, h('p', {}, t('selectVillageFirst')));
    return;
  }
  const caps = state.caps!;
  const canPlan = caps.canPlan(v.code);
  const list = h('ul', { class: 'packages', 'data-testid': 'packages' });
  for (const p of state.packages) {
    list.append(h('li', {}, h('button', { type: 'button', class: state.pkg?.id === p.id ? 'village-button current' : 'village-button', 'aria-pressed': String(state.pkg?.id === p.id), onclick: () => void reopen(p.id) },
      h('span', { class: 'vname' }, `${p.name}`), h('span', { class: 'badge' }, p.status)), h('div', { class: 'vmeta' }, `#${p.id} · ${rupiah(p.totalCostIdr)} · ${p.items.length} item`)));
  }
  const parts: (HTMLElement | null)[] = [h('h2', {}, `${t('packages')} — ${v.name}`), state.packages.length ? list : h('p', {}, t('noPackages'))];
  if (canPlan) parts.push(proposeForm(v));
  else parts.push(h('p', { class: 'note' }, t('readOnly', caps.role)));
  if (state.pkg) parts.push(packageDetail(state.pkg, canPlan));
  mount(panel, ...parts);
}

function proposeForm(v: Village): HTMLElement {
  const name = h('input', { type: 'text', required: true, value: `Bedah kampung ${v.name}`, 'data-testid': 'package-name' });
  const defaults: Record<string, number> = { KEMENSOS: 1_500_000_000, BAZNAS: 750_000_000 };
  const budgets = state.funders.map((f) => {
    const input = h('input', { type: 'number', min: '0', step: '1000000', inputmode: 'numeric', value: String(defaults[f.code] ?? 0), 'data-funder': f.code });
    return { code: f.code, input, el: field(t('budgetOf', f.name), input) };
  });
  const form = h('form', { class: 'propose', 'aria-label': t('propose') }, h('h3', {}, t('propose')), field(t('packageName'), name), ...budgets.map((b) => b.el),
    h('button', { type: 'submit', 'data-testid': 'propose' }, t('propose')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void (async () => {
      say('info', t('proposing'));
      const result = await guarded(() =>
        gql<{ proposePackage: { id: string } }>(Q.PROPOSE, {
          villageCode: v.code,
          name: name.value,
          budgets: budgets.filter((b) => Number(b.input.value) > 0).map((b) => ({ funderCode: b.code, budgetIdr: Math.round(Number(b.input.value)) })),
        }),
      );
      if (!result) return;
      state.pkg = null;
      await loadPackages();
      await openPackage(result.proposePackage.id);
      say('info', `${t('propose')}: #${result.proposePackage.id}`);
    })();
  });
  const details = h('details', { class: 'propose-wrap', open: state.packages.length === 0 }, h('summary', {}, t('propose')), form);
  return details;
}

function packageDetail(pkg: Package, canPlan: boolean): HTMLElement {
  const editable = canPlan && ['DRAFT', 'ASSESSED', 'PLANNED'].includes(pkg.status);
  const section = h('section', { class: 'package', 'data-testid': 'package-detail', 'aria-label': pkg.name });
  section.append(h('h3', {}, `${pkg.name} · #${pkg.id}`), h('p', { class: 'vmeta' }, `${t('status')}: `, h('span', { class: 'badge', 'data-testid': 'package-status' }, pkg.status), ` · v${pkg.version} · ${t('total')} ${rupiah(pkg.totalCostIdr)}`));

  // Workflow: only the steps the workflow allows from here, for a role that may plan.
  if (canPlan) {
    const reason = h('input', { type: 'text', 'data-testid': 'transition-reason' });
    const buttons = NEXT_STATUSES[pkg.status].map((to) => {
      const blocked = to === 'APPROVED' && pkg.items.length === 0 ? t('approveNeedsItems') : null;
      return h('button', { type: 'button', 'data-to': to, disabled: blocked !== null, title: blocked ?? '', 'aria-describedby': blocked ? 'wf-why' : null,
        onclick: () => void change((p) => gql(Q.TRANSITION, { packageId: p.id, version: p.version, to, reason: reason.value.trim() || null }), `${t('status')}: ${to}`) }, t('transitionTo', to));
    });
    section.append(h('fieldset', { class: 'workflow' }, h('legend', {}, t('workflow')), h('div', { class: 'buttons' }, buttons),
      pkg.items.length === 0 && NEXT_STATUSES[pkg.status].includes('APPROVED') ? h('p', { id: 'wf-why', class: 'note' }, t('approveNeedsItems')) : null,
      NEXT_STATUSES[pkg.status].length ? field(t('reasonFor'), reason) : null));
  }

  // Budgets with over-budget warnings.
  const budgetRows = pkg.budgets.map((b) => h('tr', { class: (b.remainingIdr ?? 0) < 0 ? 'over' : '' }, h('th', { scope: 'row' }, b.funderCode), h('td', {}, rupiah(b.budgetIdr)), h('td', {}, rupiah(b.allocatedIdr)), h('td', {}, rupiah(b.remainingIdr))));
  section.append(h('h4', {}, t('budgets')), h('table', { 'data-testid': 'budgets' }, h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('funder')), h('th', { scope: 'col' }, 'Rp'), h('th', { scope: 'col' }, t('allocated')), h('th', { scope: 'col' }, t('remaining')))), h('tbody', {}, budgetRows)));
  for (const b of pkg.budgets.filter((x) => (x.remainingIdr ?? 0) < 0)) section.append(h('p', { class: 'warning', role: 'alert' }, t('overBudget', b.funderCode, `${rupiah(-(b.remainingIdr ?? 0))}${b.overBudgetReason ? ` — ${b.overBudgetReason}` : ''}`)));

  // Coverage before/after, and the change since the last step.
  const c = pkg.coverage;
  const prev = state.previousCoverage;
  const accessRows = c.access.map((a) => h('tr', {}, h('th', { scope: 'row' }, a.serves), h('td', {}, count(a.targetHouseholds)), h('td', {}, count(a.withinReachBefore)), h('td', { 'data-serves': a.serves }, count(a.withinReachAfter))));
  section.append(
    h('h4', {}, t('coverage', c.radiusMeters)),
    h('dl', { class: 'stats', 'data-testid': 'coverage' }, h('dt', {}, t('inNeed')), h('dd', {}, count(c.householdsInNeed)), h('dt', {}, t('served')), h('dd', { 'data-testid': 'served' }, count(c.householdsServed)),
      h('dt', {}, t('unserved')), h('dd', { 'data-testid': 'unserved' }, state.caps!.readHouseholds ? String(c.unservedHouseholdIds.length) : '—')),
    h('table', { 'data-testid': 'access' }, h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('group')), h('th', { scope: 'col' }, t('households')), h('th', { scope: 'col' }, t('before')), h('th', { scope: 'col' }, t('after')))), h('tbody', {}, accessRows)),
  );
  if (prev) {
    const reach = (cov: Coverage) => cov.access.reduce((sum, a) => sum + (a.withinReachAfter ?? 0), 0);
    const d = (n: number) => (n > 0 ? `+${n}` : String(n));
    section.append(h('p', { class: 'note', 'data-testid': 'coverage-change' }, t('change', d((c.householdsServed ?? 0) - (prev.householdsServed ?? 0)), d(reach(c) - reach(prev)))));
  }

  // Site a facility, and the over-budget reason used by additions.
  if (editable) {
    const facilities = state.interventions.filter((i) => i.isActive && i.target === 'FACILITY');
    if (!state.facilityCode) state.facilityCode = facilities[0]?.code ?? '';
    const select = h('select', { 'data-testid': 'facility-code' }, facilities.map((i) => h('option', { value: i.code }, `${interventionName(i.code)} (${i.funderCode}, ${rupiah(i.unitCostIdr)})`)));
    select.value = state.facilityCode;
    select.addEventListener('change', () => (state.facilityCode = select.value));
    const pick = h('button', { type: 'button', 'data-testid': 'pick-site', 'aria-pressed': String(map?.picking ?? false) }, t('pickOnMap'));
    pick.addEventListener('click', () => {
      state.pickFor = 'site';
      map?.setPicking(true);
      say('info', t('pickingHint', interventionName(state.facilityCode)));
    });
    const reason = h('input', { type: 'text', value: state.overBudgetReason });
    reason.addEventListener('input', () => (state.overBudgetReason = reason.value));
    const centre = h('button', { type: 'button', class: 'secondary', 'data-testid': 'site-centre', onclick: () => { const c = map!.map.getCenter(); void siteFacility([c.lng, c.lat]); } }, t('siteAtCentre'));
    section.append(h('fieldset', { class: 'site' }, h('legend', {}, t('siteFacility')), field(t('facility'), select), h('div', { class: 'buttons' }, pick, centre), field(t('overBudgetReason'), reason)));
  }

  // Items.
  const rows = pkg.items.map((i) =>
    h('tr', { 'data-item': i.id },
      h('td', {}, interventionName(i.interventionCode)),
      h('td', {}, i.householdId ? `RT ${i.householdId}${i.memberId ? ` / ${i.memberId}` : ''}` : i.location ? `${t('facility')} (${i.serves ?? ''})` : '—'),
      h('td', {}, i.funderCode),
      h('td', { class: 'num' }, rupiah(i.costIdr)),
      h('td', {}, i.progress),
      h('td', {}, i.eligibilityOverrideReason ? `override: ${i.eligibilityOverrideReason}` : i.householdId ? reasonsButton(i.householdId, i.interventionCode) : i.origin),
      h('td', {}, editable ? h('button', { type: 'button', class: 'small', 'aria-label': `${t('remove')} ${i.id}`, onclick: () => void change((p) => gql(Q.REMOVE_ITEM, { packageId: p.id, version: p.version, itemId: i.id })) }, t('remove')) : null),
    ),
  );
  section.append(
    h('h4', {}, t('items', pkg.items.length)),
    h('div', { class: 'table-scroll' }, h('table', { class: 'items', 'data-testid': 'items' },
      h('thead', {}, h('tr', {}, [t('intervention'), t('target'), t('funder'), t('amount'), t('progress'), t('reasons'), ''].map((x) => h('th', { scope: 'col' }, x)))),
      h('tbody', {}, rows))),
  );
  return section;
}

/** Eligibility reasons of one item, fetched when asked for (one request per household, not per row up front). */
function reasonsButton(householdId: string, code: string): HTMLElement {
  const out = h('details', { class: 'reasons' }, h('summary', {}, t('reasons')));
  out.addEventListener('toggle', () => {
    if (!out.open || out.dataset.loaded) return;
    out.dataset.loaded = '1';
    void guarded(async () => {
      const { eligibility } = await gql<{ eligibility: Eligibility[] }>(Q.ELIGIBILITY, { householdId });
      const e = eligibility.find((x) => x.intervention.code === code);
      out.append(h('ul', {}, (e?.parts ?? []).map((p) => h('li', {}, `${p.passed ? '✓' : '✗'} ${p.label}: ${p.actual} (${p.expected})`))));
    });
  });
  return out;
}

// ---------------------------------------------------------------------------------------------
// Follow it through

const FLOW: PackageStatus[] = ['DRAFT', 'ASSESSED', 'PLANNED', 'APPROVED', 'IN_PROGRESS', 'COMPLETED'];

function renderProgress(): void {
  const v = state.village;
  if (!v) {
    mount(panel, h('p', {}, t('selectVillageFirst')));
    return;
  }
  const parts: HTMLElement[] = [h('h2', {}, `${t('tabProgress')} — ${v.name}`)];
  for (const p of state.packages) {
    const done = p.items.filter((i) => i.progress === 'DONE').length;
    const doing = p.items.filter((i) => i.progress === 'IN_PROGRESS').length;
    const steps = h('ol', { class: 'stepper', 'aria-label': t('status') }, FLOW.map((s) => h('li', { class: s === p.status ? 'current' : FLOW.indexOf(s) < FLOW.indexOf(p.status) ? 'past' : '', 'aria-current': s === p.status ? 'step' : null }, s)));
    const bar = h('progress', { max: String(Math.max(1, p.items.length)), value: String(done), 'aria-label': t('progress') });
    parts.push(h('section', { class: 'follow', 'data-testid': 'follow' },
      h('h3', {}, h('button', { type: 'button', class: 'link', onclick: () => void openPackage(p.id) }, `${p.name} #${p.id}`), ' ', h('span', { class: 'badge' }, p.status)),
      p.status === 'CANCELLED' ? null : steps,
      bar,
      h('p', { class: 'vmeta' }, `${done} ${t('done')} · ${doing} ${t('inProgress')} · ${p.items.length - done - doing} ${t('notStarted')} · ${rupiah(p.totalCostIdr)}`),
      itemProgressTable(p)));
  }
  if (!state.packages.length) parts.push(h('p', {}, t('noPackages')));
  parts.push(graduationSection(v));
  if (state.pkg) {
    // Approval first: a package's timeline holds a row per item (a hundred or more), the approval a few lines.
    if (state.approval) parts.push(approvalSection(state.pkg, state.approval));
    // Offered exactly where the API takes it: the role's scope in this village (viewer.villageCapabilities) and an IN_PROGRESS package.
    const scope = state.caps!.progressScope(state.pkg.villageCode);
    if (scope && state.pkg.status === 'IN_PROGRESS') parts.push(recordSection(state.pkg, scope));
    if (state.timeline) parts.push(ganttSection(state.pkg, state.timeline));
    parts.push(h('h3', {}, `${t('timeline')}: ${state.pkg.name}`));
    if (state.audit) {
      parts.push(h('ol', { class: 'timeline', 'data-testid': 'timeline' }, state.audit.map((a) => h('li', {}, h('time', { datetime: a.at }, new Date(a.at).toLocaleString(getLang() === 'id' ? 'id-ID' : 'en-GB')), ` ${a.action} · ${a.actor} (${a.role})`))));
    } else parts.push(h('p', { class: 'note' }, t('noAudit')));
  }
  mount(panel, ...parts);
}

const DAY_MS = 86_400_000;
const dayOf = (iso: string) => Date.parse(`${iso.slice(0, 10)}T00:00:00Z`);
const fmtDay = (iso: string | null) => (iso ? new Date(dayOf(iso)).toLocaleDateString(getLang() === 'id' ? 'id-ID' : 'en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' }) : '—');

/**
 * The open package's timeline as a table with a bar per row: the words (dates, "terlambat") carry
 * the meaning, the bars only draw it (aria-hidden), so nothing is said by colour alone. Bar offsets
 * are set through the CSSOM (the CSP forbids style attributes).
 */
function ganttSection(pkg: Package, tl: PackageTimeline): HTMLElement {
  const days = [tl.today, ...tl.phases.flatMap((p) => [p.plannedStart, p.plannedEnd, p.actualStart, p.actualEnd]), ...tl.items.flatMap((i) => [i.plannedStart, i.plannedEnd, i.startedOn, i.doneOn])]
    .filter((d): d is string => !!d).map(dayOf);
  const from = Math.min(...days);
  const spanDays = Math.max(1, (Math.max(...days) - from) / DAY_MS + 1);
  const pct = (iso: string) => (((dayOf(iso) - from) / DAY_MS) / spanDays) * 100;
  const bar = (cls: string, start: string | null, end: string | null) => {
    if (!start) return null;
    const el = h('span', { class: `gantt-bar ${cls}` });
    el.style.left = `${pct(start)}%`;
    el.style.width = `${Math.max(0.8, pct(end ?? tl.today) - pct(start) + 100 / spanDays)}%`;
    return el;
  };
  const track = (planned: [string, string], actual: [string | null, string | null], overdue: boolean) => {
    const el = h('div', { class: `gantt-track${overdue ? ' overdue' : ''}`, 'aria-hidden': 'true' }, bar('planned', ...planned), bar('actual', ...actual));
    const now = h('span', { class: 'gantt-today' });
    now.style.left = `${pct(tl.today)}%`;
    el.append(now);
    return el;
  };
  const flag = (overdue: boolean) => (overdue ? h('strong', { class: 'overdue-flag' }, `⚠ ${t('overdue')}`) : t('onTime'));
  const phaseName = (phase: string) => ({ ASSESSMENT: t('phaseAssessment'), PLANNING: t('phasePlanning'), IMPLEMENTATION: t('phaseImplementation') })[phase] ?? phase;
  const row = (head: string, planned: [string, string], actual: [string | null, string | null], overdue: boolean, cls: string) =>
    h('tr', { class: `${cls}${overdue ? ' overdue' : ''}` }, h('th', { scope: 'row' }, head), h('td', {}, `${fmtDay(planned[0])} – ${fmtDay(planned[1])}`),
      h('td', {}, actual[0] ? `${fmtDay(actual[0])} – ${actual[1] ? fmtDay(actual[1]) : t('ongoing')}` : t('notYet')), h('td', {}, flag(overdue)), h('td', { class: 'gantt-cell' }, track(planned, actual, overdue)));
  const overdueCount = tl.phases.filter((p) => p.overdue).length + tl.items.filter((i) => i.overdue).length;
  return h('section', { class: 'gantt', 'data-testid': 'gantt', 'aria-labelledby': 'gantt-title' },
    h('h3', { id: 'gantt-title' }, `${t('schedule')}: ${pkg.name} #${pkg.id}`),
    h('p', { class: 'vmeta' }, t('scheduleToday', fmtDay(tl.today), tl.status), overdueCount ? h('strong', { class: 'overdue-flag' }, ` · ⚠ ${t('overdueCount', overdueCount)}`) : null),
    h('table', { class: 'gantt-table', 'data-testid': 'gantt-table' },
      h('caption', { class: 'note' }, t('ganttCaption')),
      h('thead', {}, h('tr', {}, [t('phaseOrItem'), t('planned'), t('actual'), t('status'), t('chart')].map((x) => h('th', { scope: 'col' }, x)))),
      h('tbody', {},
        tl.phases.map((p) => row(phaseName(p.phase), [p.plannedStart, p.plannedEnd], [p.actualStart, p.actualEnd], p.overdue, 'phase')),
        tl.items.map((i) => row(`#${i.itemId} ${i.interventionCode} (${i.funderCode}) · ${i.progress}`, [i.plannedStart, i.plannedEnd], [i.startedOn, i.doneOn], i.overdue, 'item')))));
}

/**
 * Who drafted and approved the open package and each funder's sign-off, as the API sends them. The
 * sign-off control is offered on an APPROVED package to a PARTNER whose funder (the token's `funder`
 * claim) is listed and has not decided; the API still decides, and its refusal reason is shown here.
 */
function approvalSection(pkg: Package, a: PackageApproval): HTMLElement {
  const decision = (d: string | null) => (d === 'SIGNED' ? t('signed') : d === 'REFUSED' ? t('refusedSignoff') : t('pending'));
  const section = h('section', { class: 'approval', 'data-testid': 'approval', 'aria-labelledby': 'approval-title' },
    h('h3', { id: 'approval-title' }, t('approvalTitle')),
    h('dl', { class: 'stats' },
      h('dt', {}, t('draftedBy')), h('dd', {}, a.draftedBy ?? '—'),
      h('dt', {}, t('approvedBy')), h('dd', {}, a.approvedBy ? `${a.approvedBy}${a.approvedAt ? ` (${fmtDay(a.approvedAt)})` : ''}` : t('notApproved'))),
    a.signoffs.length
      ? h('table', { 'data-testid': 'signoffs' },
        h('thead', {}, h('tr', {}, [t('funderCol'), t('decision'), t('signedBy'), t('reason')].map((x) => h('th', { scope: 'col' }, x)))),
        h('tbody', {}, a.signoffs.map((s) => h('tr', {}, h('th', { scope: 'row' }, s.funderCode), h('td', {}, decision(s.decision)),
          h('td', {}, s.subject ? `${s.subject}${s.at ? ` (${fmtDay(s.at)})` : ''}` : '—'), h('td', {}, s.reason ?? '')))))
      : h('p', { class: 'note' }, t('noSignoffs')));
  const claims = session.claims;
  const own = claims?.role === 'PARTNER' && claims.funder ? a.signoffs.find((s) => s.funderCode === claims.funder) : undefined;
  // Funders sign the approved plan (docs/execution.md): the control is offered on APPROVED packages only.
  if (own && !own.decision && pkg.status === 'APPROVED') {
    const reason = h('input', { type: 'text', maxlength: 1000, 'data-testid': 'signoff-reason' });
    const send = (d: 'SIGNED' | 'REFUSED') => void signOff(pkg, d, reason.value.trim());
    section.append(h('div', { class: 'signoff', 'data-testid': 'signoff' },
      h('p', {}, t('signoffAsk', own.funderCode)),
      field(t('signoffReason'), reason),
      h('div', { class: 'buttons' },
        h('button', { type: 'button', 'data-testid': 'signoff-sign', onclick: () => send('SIGNED') }, t('signOffSign')),
        h('button', { type: 'button', 'data-testid': 'signoff-refuse', onclick: () => send('REFUSED') }, t('signOffRefuse')))));
  }
  if (state.signoffRefusal) section.append(h('p', { class: 'error', role: 'alert', 'data-testid': 'signoff-refusal' }, t('refused', state.signoffRefusal)));
  return section;
}

async function signOff(pkg: Package, decision: 'SIGNED' | 'REFUSED', reason: string): Promise<void> {
  state.signoffRefusal = null;
  try {
    await gql(Q.SIGN_OFF, { packageId: pkg.id, version: pkg.version, decision, reason: reason || null });
    say('info', decision === 'SIGNED' ? t('signedDone') : t('refusedDone'));
  } catch (e) {
    if (e instanceof ApiError && e.code === 'UNAUTHENTICATED') return;
    state.signoffRefusal = (e as Error).message;
  }
  await openPackage(pkg.id);
  await loadPackages();
  if (state.tab === 'progress') renderProgress();
}

/**
 * Field progress of one item (recordItemProgress): status, date, note, GPS point and evidence. The
 * item list holds what the API takes from this user (all items, or those its funder pays a share
 * of); the point comes from a map click, the device's position or the map centre (keyboard), or
 * typed. Nothing is judged here: a point outside the boundary, a date out of range or a housing
 * item DONE without its verification are refused by the API, and its message is shown.
 */
function recordSection(pkg: Package, scope: ProgressScope): HTMLElement {
  const r = state.record;
  const items = pkg.items.filter((i) => scope.funderCode === null || i.funding.some((f) => f.funderCode === scope.funderCode));
  if (!items.some((i) => i.id === r.itemId)) r.itemId = items[0]?.id ?? '';
  const label = (i: Package['items'][number]) => `#${i.id} ${interventionName(i.interventionCode)} (${i.funding.map((f) => f.funderCode).join(' + ') || i.funderCode})${i.householdId ? ` · RT ${i.householdId}` : ''} · ${t(`progress${i.progress}` as 'progressDONE')}`;
  const item = h('select', { 'data-testid': 'record-item' }, items.map((i) => h('option', { value: i.id }, label(i))));
  item.value = r.itemId;
  item.addEventListener('change', () => (r.itemId = item.value));
  const status = h('select', { 'data-testid': 'record-status' }, (['NOT_STARTED', 'IN_PROGRESS', 'DONE'] as const).map((p) => h('option', { value: p }, t(`progress${p}`))));
  status.value = r.progress;
  status.addEventListener('change', () => (r.progress = status.value));
  const on = h('input', { type: 'date', 'data-testid': 'record-on', max: new Date().toISOString().slice(0, 10), min: pkg.createdAt.slice(0, 10) });
  on.value = r.on || new Date().toISOString().slice(0, 10);
  on.addEventListener('change', () => (r.on = on.value));
  const note = h('textarea', { rows: 2, maxlength: 2000, 'data-testid': 'record-note' });
  note.value = r.note;
  note.addEventListener('input', () => (r.note = note.value));
  const coord = (key: 'lon' | 'lat', testid: string) => {
    const el = h('input', { type: 'number', step: 'any', inputmode: 'decimal', 'data-testid': testid, required: scope.needsLocation });
    el.value = r[key];
    el.addEventListener('input', () => (r[key] = el.value));
    return el;
  };
  const lon = coord('lon', 'record-lon');
  const lat = coord('lat', 'record-lat');
  const pick = h('button', { type: 'button', 'data-testid': 'record-pick', 'aria-pressed': String(!!map?.picking && state.pickFor === 'progress') }, t('recordPickOnMap'));
  pick.addEventListener('click', () => {
    state.pickFor = 'progress';
    map?.setPicking(true);
    say('info', t('recordPickingHint'));
  });
  const device = h('button', { type: 'button', class: 'secondary', 'data-testid': 'record-device' }, t('recordDevicePosition'));
  device.addEventListener('click', () => {
    if (!navigator.geolocation) return say('error', t('recordNoPosition', 'navigator.geolocation'));
    navigator.geolocation.getCurrentPosition(
      (p) => setRecordPoint([p.coords.longitude, p.coords.latitude]),
      (e) => say('error', t('recordNoPosition', e.message)),
      { enableHighAccuracy: true, timeout: 20_000 },
    );
  });
  const centre = h('button', { type: 'button', class: 'secondary', 'data-testid': 'record-centre', onclick: () => { const c = map!.map.getCenter(); setRecordPoint([c.lng, c.lat]); } }, t('recordMapCentre'));
  const evidence = h('input', { type: 'file', accept: 'image/jpeg,image/png,image/webp,application/pdf', 'data-testid': 'record-evidence' });
  evidence.addEventListener('change', () => (r.evidence = evidence.files?.[0] ?? null));
  const form = h('form', { class: 'record', 'data-testid': 'record-progress', 'aria-labelledby': 'record-title' },
    h('h3', { id: 'record-title' }, t('recordTitle')),
    h('p', { class: 'note' }, t('recordHelp'), scope.funderCode ? ` ${t('recordHelpFunder', scope.funderCode)}` : '', scope.needsLocation ? ` ${t('recordLocationRequired')}` : ''),
    field(t('recordItem'), item), field(t('recordStatus'), status), field(t('recordOn'), on), field(t('recordNote'), note),
    h('fieldset', {}, h('legend', {}, 'GPS'), field(t('recordLon'), lon), field(t('recordLat'), lat), h('div', { class: 'buttons' }, pick, device, centre)),
    field(t('recordEvidence'), evidence),
    pkg.items.some((i) => i.category === 'HOUSING') ? h('p', { class: 'note' }, t('recordHousingNote')) : null,
    h('div', { class: 'buttons' }, h('button', { type: 'submit', 'data-testid': 'record-save' }, t('recordSave'))),
    state.recordRefusal ? h('p', { class: 'error', role: 'alert', 'data-testid': 'record-refusal' }, t('refused', state.recordRefusal)) : null);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void recordProgress(pkg);
  });
  return form;
}

function setRecordPoint([lon, lat]: [number, number]): void {
  map?.setPicking(false);
  state.pickFor = 'site';
  state.record.lon = lon.toFixed(6);
  state.record.lat = lat.toFixed(6);
  state.message = null;
  if (state.tab === 'progress') renderProgress();
  renderStatus();
}

/** The file as base64 (RFC 4648, no data: prefix), as EvidenceInput.contentBase64 takes it. */
async function base64Of(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

async function recordProgress(pkg: Package): Promise<void> {
  const r = state.record;
  state.recordRefusal = null;
  const hasPoint = r.lon.trim() !== '' && r.lat.trim() !== '';
  try {
    await gql(Q.RECORD_PROGRESS, {
      packageId: pkg.id, version: pkg.version, itemId: r.itemId, progress: r.progress, on: r.on || null, note: r.note.trim() || null,
      locationWgs84: hasPoint ? [Number(r.lon), Number(r.lat)] : null,
      evidence: r.evidence ? { contentBase64: await base64Of(r.evidence) } : null,
    });
    say('info', t('recordSaved', r.itemId, t(`progress${r.progress}` as 'progressDONE')));
    state.record = { ...r, note: '', evidence: null };
  } catch (e) {
    if (e instanceof ApiError && e.code === 'UNAUTHENTICATED') return;
    state.recordRefusal = (e as Error).message;
  }
  // The outcome (or a refusal cleared by success) shows at once; the package is re-read after.
  if (state.tab === 'progress') renderProgress();
  await openPackage(pkg.id);
  await loadPackages();
  if (state.tab === 'progress') renderProgress();
  // For tests and automation: how many record attempts have fully settled (page re-read and drawn).
  document.body.dataset.progressSettled = String(Number(document.body.dataset.progressSettled ?? 0) + 1);
}

/** Item status per category of one package (the items' `progress` as the API sends them). */
function itemProgressTable(p: PackageSummary): HTMLElement | null {
  if (!p.items.length) return null;
  const byCategory = new Map<string, Record<string, number>>();
  for (const i of p.items) {
    const row = byCategory.get(i.category) ?? {};
    row[i.progress] = (row[i.progress] ?? 0) + 1;
    byCategory.set(i.category, row);
  }
  const cols: [string, string][] = [['DONE', t('done')], ['IN_PROGRESS', t('inProgress')], ['NOT_STARTED', t('notStarted')]];
  return h('details', { class: 'item-progress' }, h('summary', {}, t('itemProgress')),
    h('table', { 'data-testid': 'item-progress' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('category')), cols.map(([, label]) => h('th', { scope: 'col' }, label)))),
      h('tbody', {}, [...byCategory].sort(([a], [b]) => a.localeCompare(b)).map(([category, row]) => h('tr', {}, h('th', { scope: 'row' }, category),
        cols.map(([key]) => h('td', { class: 'num' }, String(key === 'NOT_STARTED' ? Object.entries(row).filter(([k]) => k !== 'DONE' && k !== 'IN_PROGRESS').reduce((n, [, c]) => n + c, 0) : (row[key] ?? 0)))))))));
}

/**
 * Graduation figures of the open village. Every role asks graduationTargets (the API protects
 * the counts for aggregate-only roles); the readiness list and caseloads are asked only when the
 * API said this user reads caseload records (viewer.readsCaseloadRecords) — the page does not ask
 * for what would be refused, and shows what comes back as it comes back.
 */
async function loadFollow(v: Village): Promise<void> {
  if (state.follow?.villageCode === v.code) return;
  state.follow = { villageCode: v.code, targets: null, caseload: null };
  const caps = state.caps!;
  const [targets, caseload] = await Promise.all([
    guarded(() => gql<{ graduationTargets: GraduationTargets }>(Q.GRADUATION_TARGETS, { code: v.code })),
    caps.readsCaseload && caps.targetGroupings.includes('PENDAMPING') ? guarded(() => gql<Caseload>(Q.CASELOAD, { code: v.code })) : Promise.resolve(undefined),
  ]);
  if (state.village?.code !== v.code) return;
  state.follow = { villageCode: v.code, targets: targets?.graduationTargets ?? null, caseload: caseload ?? null };
  if (state.tab === 'progress') renderProgress();
}

function targetList(row: GraduationTarget): HTMLElement {
  const pairs: [string, string][] = [
    [t('caseload'), count(row.caseload)], [t('graduated'), count(row.graduated)], [t('targetYear'), row.target === null ? '—' : row.target.toFixed(1)], [t('proposedG'), count(row.proposed)],
    [t('referred'), count(row.referred)], [t('accepted'), count(row.accepted)], [t('enrolled'), count(row.enrolled)], [t('declined'), count(row.declined)],
    [t('returned'), count(row.returned)], [t('pendampingCount'), String(row.pendamping)],
  ];
  return h('dl', { class: 'stats', 'data-testid': 'graduation-targets' }, pairs.flatMap(([k, val]) => [h('dt', {}, k), h('dd', {}, val)]));
}

function graduationSection(v: Village): HTMLElement {
  const section = h('section', { class: 'graduation', 'data-testid': 'graduation', 'aria-labelledby': 'graduation-title' }, h('h3', { id: 'graduation-title' }, t('graduation')));
  const f = state.follow;
  if (!f || f.villageCode !== v.code) {
    void loadFollow(v);
    section.append(h('p', { class: 'note' }, t('loading')));
    return section;
  }
  if (!f.targets) return section;
  const row = f.targets.rows.find((r) => r.key === v.code);
  section.append(h('h4', {}, t('graduationYear', f.targets.year)), row ? targetList(row) : h('p', { class: 'note' }, t('noGraduationData')));
  if (f.targets.protectedCounts) section.append(h('p', { class: 'note', 'data-testid': 'graduation-protected' }, t('graduationProtected')));
  const c = f.caseload;
  if (c) {
    section.append(h('h4', {}, t('readiness')), h('dl', { class: 'stats', 'data-testid': 'readiness' },
      h('dt', {}, t('readinessTotal')), h('dd', {}, count(c.graduationReadinessList.total)), h('dt', {}, t('readinessReady')), h('dd', {}, count(c.graduationReadinessList.ready))));
    const perSubject = new Map(c.perPendamping.rows.map((r) => [r.key, r]));
    section.append(h('h4', {}, t('pendampingList')), h('table', { 'data-testid': 'caseloads' },
      h('thead', {}, h('tr', {}, [t('pendampingCount'), t('caseload'), t('graduated'), t('perYear')].map((x) => h('th', { scope: 'col' }, x)))),
      h('tbody', {}, c.pendamping.map((p) => h('tr', {}, h('th', { scope: 'row' }, `${p.name}${p.organisation ? ` (${p.organisation})` : ''}`), h('td', { class: 'num' }, count(p.caseload)),
        h('td', { class: 'num' }, count(perSubject.get(p.subject)?.graduated)), h('td', { class: 'num' }, String(p.targetPerYear)))))));
  }
  return section;
}

// ---------------------------------------------------------------------------------------------
// Legend

function renderLegend(): void {
  if (!legend) return;
  const items: HTMLElement[] = [];
  const row = (colour: string, label: string, shape: 'dot' | 'box' | 'ring' = 'box') => h('li', {}, swatch(colour, shape), label);
  items.push(h('h4', {}, t('legendPriority')), h('ul', {}, ...PRIORITY_STOPS.map(([score, colour]) => row(colour, `${score}${score === 60 ? '+' : ''}`)), row('#d9d9d9', t('notRanked'))));
  if (state.village) {
    if (state.caps?.readHouseholds) {
      items.push(h('h4', {}, `${t('households')}: ${state.householdStyle.toUpperCase()}`));
      if (state.householdStyle === 'rtlh') items.push(h('ul', {}, row(OKABE_ITO.vermillion, t('isRtlh'), 'dot'), row(OKABE_ITO.blue, t('notRtlh'), 'dot')));
      else if (state.householdStyle === 'desil') items.push(h('ul', { class: 'desil' }, DESIL_COLOURS.map((c, i) => row(c, `${i + 1}`, 'dot'))));
      else items.push(h('ul', {}, state.pasHighlight ? [row(OKABE_ITO.orange, state.pasHighlight, 'dot'), row('#c8c8c8', t('noPas'), 'dot')] : [row(OKABE_ITO.orange, t('hasPas'), 'dot'), row(OKABE_ITO.skyBlue, t('noPas'), 'dot')]));
    } else {
      items.push(h('h4', {}, t('gridLegend')), h('ul', {}, row(DESIL_COLOURS[8]!, '5'), row(DESIL_COLOURS[5]!, '25'), row(DESIL_COLOURS[2]!, '60'), row(DESIL_COLOURS[0]!, '120+')));
    }
    const kinds = [...new Set(state.village.existingFacilities.map((f) => facilityKind(f.kind)))].sort();
    if (kinds.length) items.push(h('h4', {}, t('existingLegend', RADIUS_M)), h('ul', { 'data-testid': 'existing-legend' }, kinds.map((k) => row(FACILITY_KIND_COLOURS[k]!, kindName(k), 'dot'))));
    items.push(h('ul', {}, row(OKABE_ITO.black, t('villageBoundary'), 'ring'), row(OKABE_ITO.green, t('facilitiesLegend'), 'dot'), row(OKABE_ITO.skyBlue, t('allFacilities'), 'dot'),
      state.caps?.readHouseholds ? row(OKABE_ITO.purple, t('unservedLegend'), 'ring') : null));
  }
  // Collapsible, so it does not cover the map on a tablet; the open state survives re-renders.
  const box = h('details', { open: legendOpen }, h('summary', {}, t('legend')), ...items);
  box.addEventListener('toggle', () => (legendOpen = box.open));
  mount(legend, box);
}

// ---------------------------------------------------------------------------------------------

document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape' && map?.picking) {
    map.setPicking(false);
    state.message = null;
    renderStatus();
  }
});

session.onExpired((message) => {
  state.caps = null;
  // The layers depend on the role: the next sign-in builds a fresh map.
  map?.map.remove();
  map = null;
  renderSignIn(t('expired', message));
});

async function boot(): Promise<void> {
  setLang(new URLSearchParams(location.search).get('lang') === 'en' ? 'en' : 'id');
  try {
    const config = (await (await fetch(new URL('./config.json', import.meta.url))).json()) as { basemapStyleUrl: string | null };
    basemapStyleUrl = config.basemapStyleUrl;
  } catch {
    basemapStyleUrl = null;
  }
  renderSignIn();
}

void boot();
