/**
 * Builds the web app (web/src) into dist/web with esbuild: one ES module bundle with MapLibre and
 * one stylesheet, plus MapLibre's worker and index.html. No CDN, fonts or tiles from elsewhere:
 * everything the page loads is served by the API at /app.
 *
 * esbuild rather than Vite: it is already in the dependency tree (tsx runs on it), builds this app
 * in well under a second, and needs no dev server or plugin stack. `npm start` runs it first
 * (prestart); the browser tests call buildWebApp() themselves.
 *
 *   npm run build:web            build once
 *   npm run build:web -- --watch rebuild on change
 *   npm run build:web -- --if-stale build only if an input is newer than dist/web (what prestart runs)
 */
import { build, context, type BuildOptions } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const WEB_DIR = dirname(fileURLToPath(import.meta.url));
export const OUT_DIR = join(WEB_DIR, '..', 'dist', 'web');

const options: BuildOptions = {
  entryPoints: { app: join(WEB_DIR, 'src', 'main.ts') },
  outdir: OUT_DIR,
  bundle: true,
  format: 'esm',
  target: ['chrome110', 'firefox115', 'safari16'],
  minify: true,
  sourcemap: true,
  legalComments: 'linked',
  logLevel: 'warning',
  // The bundle is served from /app/; MapLibre's worker is copied beside it and set explicitly.
  define: { 'process.env.NODE_ENV': '"production"' },
};

function copyStatic(): void {
  mkdirSync(OUT_DIR, { recursive: true });
  const require = createRequire(import.meta.url);
  const maplibreDir = dirname(require.resolve('maplibre-gl/package.json'));
  copyFileSync(join(maplibreDir, 'dist', 'maplibre-gl-worker.mjs'), join(OUT_DIR, 'maplibre-gl-worker.mjs'));
  writeFileSync(join(OUT_DIR, 'index.html'), readFileSync(join(WEB_DIR, 'index.html')));
}

export async function buildWebApp(): Promise<void> {
  await build(options);
  copyStatic();
}

/** Newest modification time (ms) of the files under `path` (the path itself if it is a file). */
function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((newest, entry) => Math.max(newest, newestMtime(join(path, entry))), stat.mtimeMs);
}

/**
 * Whether dist/web is older than anything it is built from: the app's sources, this script and the
 * lock file (a MapLibre or esbuild upgrade changes the bundle). A first start on a fresh clone always
 * builds; a restart with nothing changed skips the ~1–3 s of esbuild (part of the 45 s first-start budget).
 */
export function webAppIsStale(): boolean {
  const outputs = ['app.js', 'app.css', 'maplibre-gl-worker.mjs', 'index.html'].map((f) => join(OUT_DIR, f));
  if (!outputs.every((f) => existsSync(f))) return true;
  const built = Math.min(...outputs.map((f) => statSync(f).mtimeMs));
  const lockFile = join(WEB_DIR, '..', 'package-lock.json');
  const inputs = [join(WEB_DIR, 'src'), join(WEB_DIR, 'index.html'), fileURLToPath(import.meta.url), ...(existsSync(lockFile) ? [lockFile] : [])];
  return inputs.some((input) => newestMtime(input) > built);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const started = performance.now();
  if (process.argv.includes('--if-stale') && !webAppIsStale()) {
    console.log(`web app in ${OUT_DIR} is up to date (npm run build:web rebuilds it)`);
  } else if (process.argv.includes('--watch')) {
    copyStatic();
    const ctx = await context(options);
    await ctx.watch();
    console.log(`watching web/src → ${OUT_DIR}`);
  } else {
    await buildWebApp();
    console.log(`web app built into ${OUT_DIR} in ${Math.round(performance.now() - started)} ms`);
  }
}
