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
 */
import { build, context, type BuildOptions } from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const started = performance.now();
  if (process.argv.includes('--watch')) {
    copyStatic();
    const ctx = await context(options);
    await ctx.watch();
    console.log(`watching web/src → ${OUT_DIR}`);
  } else {
    await buildWebApp();
    console.log(`web app built into ${OUT_DIR} in ${Math.round(performance.now() - started)} ms`);
  }
}
