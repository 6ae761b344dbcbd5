/**
 * Builds the depot daemon as one plain JavaScript file: `pnpm build:depot`.
 *
 *   firmware/bin/keydepot-depot.ts  →  firmware/dist/keydepot-depot.mjs
 *
 * Why: under the tsx loader the daemon needs ~44 MB more RSS than as plain
 * JavaScript, and the depot's goal is ≤ 80 MB (issue 4, docs/benchmarks.md).
 * Our TypeScript (firmware, @keydepot/shared) and pure-JS packages (zod) are
 * bundled; packages with native addons or a WASM build stay external and load
 * from node_modules as before. An external that the bundle's folder cannot
 * resolve by name (libsodium-wrappers is a dependency of shared/, not of
 * firmware/) is imported by its relative path, so the bundle must be rebuilt
 * after every install, which scripts/install-depot.sh does.
 *
 * esbuild is a root dev dependency. A depot's production install has no dev
 * dependencies, so there it is found through NODE_PATH (the installer's runtime
 * folder) or as tsx's own dependency.
 */
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

type Esbuild = typeof import('esbuild');

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Native addons, WASM builds and packages with worker files: loaded from node_modules at run time. */
export const EXTERNAL_PACKAGES = [
  'better-sqlite3',
  'sodium-native',
  'libsodium-wrappers',
  'onoff',
  'serialport',
  '@serialport/*',
  // sd_notify to systemd (firmware/src/service/systemd-notify.ts).
  'unix-dgram',
  // pino starts worker threads from its own files for transports (the daemon uses none, but a bundle would break them).
  'pino',
  // cloud-only; listed so a stray import can never pull it into the depot.
  'argon2',
] as const;

export interface BuildDepotOptions {
  /** Default firmware/bin/keydepot-depot.ts. */
  readonly entry?: string;
  /** Default firmware/dist/keydepot-depot.mjs. Must lie inside firmware/ so the externals resolve. */
  readonly outfile?: string;
}

export interface BuiltDepot {
  readonly outfile: string;
  readonly bytes: number;
  readonly ms: number;
}

/** Loads esbuild: from here (the workspace), from NODE_PATH, else as tsx's dependency (a depot's install). */
export async function loadEsbuild(): Promise<Esbuild> {
  const require = createRequire(import.meta.url);
  let path: string;
  try {
    path = require.resolve('esbuild');
  } catch {
    path = createRequire(require.resolve('tsx/package.json')).resolve('esbuild');
  }
  const loaded = (await import(pathToFileURL(path).href)) as Esbuild & { default?: Esbuild };
  return loaded.default ?? loaded;
}

const externalPattern = new RegExp(
  `^(${EXTERNAL_PACKAGES.map((name) => name.replace('/', '\\/').replace('*', '[^/]+')).join('|')})(\\/.*)?$`,
);

const lookup = { externalLookup: true };

/**
 * Keeps EXTERNAL_PACKAGES out of the bundle. A CommonJS package is loaded with
 * require() from a tiny CommonJS stub: imported from ESM, Node 20 routes every
 * require() inside it through the ESM loader, which cost ~3 MB more RSS for the
 * daemon's packages (serialport alone: +6 MB). An external the bundle's folder
 * cannot resolve by name is referred to by its relative path.
 */
function externals(outdir: string): import('esbuild').Plugin {
  return {
    name: 'keydepot-externals',
    setup(build) {
      build.onResolve({ filter: externalPattern }, async (args) => {
        if (args.pluginData === lookup) return undefined;
        if (args.namespace === 'keydepot-require') return { path: args.path, external: true };
        const fromImporter = await build.resolve(args.path, {
          kind: args.kind,
          resolveDir: args.resolveDir,
          pluginData: lookup,
        });
        if (fromImporter.errors.length > 0) return { path: args.path, external: true };
        const fromBundle = await build.resolve(args.path, { kind: args.kind, resolveDir: outdir, pluginData: lookup });
        let path = args.path;
        if (fromBundle.errors.length > 0 || fromBundle.path !== fromImporter.path) {
          path = relative(outdir, fromImporter.path).split(sep).join('/');
          if (!path.startsWith('.')) path = `./${path}`;
        }
        if (isEsm(fromImporter.path)) return { path, external: true };
        return { path, namespace: 'keydepot-require' };
      });
      build.onLoad({ filter: /.*/, namespace: 'keydepot-require' }, (args) => ({
        contents: `module.exports = require(${JSON.stringify(args.path)});`,
        loader: 'js',
      }));
    },
  };
}

/** An ES module: .mjs, or .js in a package whose package.json says "type": "module". */
function isEsm(file: string): boolean {
  if (file.endsWith('.mjs')) return true;
  if (file.endsWith('.cjs') || file.endsWith('.node')) return false;
  for (let dir = dirname(file); dir !== dirname(dir); dir = dirname(dir)) {
    try {
      return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).type === 'module';
    } catch {
      // no package.json here: look further up
    }
  }
  return false;
}

/** Bundles the daemon; resolves with where it went, its size and how long it took. */
export async function buildDepot(options: BuildDepotOptions = {}): Promise<BuiltDepot> {
  const started = performance.now();
  const esbuild = await loadEsbuild();
  const entry = options.entry ?? join(ROOT, 'firmware', 'bin', 'keydepot-depot.ts');
  const outfile = options.outfile ?? join(ROOT, 'firmware', 'dist', 'keydepot-depot.mjs');
  const outdir = dirname(outfile);
  mkdirSync(outdir, { recursive: true });
  await esbuild.build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
    // Whitespace and comments out: V8 keeps every script's source in memory, and
    // a comment with one non-Latin-1 character (→, ≤) makes the whole source a
    // two-byte string. Identifiers stay, so stack traces still name functions.
    minifyWhitespace: process.env.KEYDEPOT_BUILD_PLAIN !== '1',
    minifySyntax: process.env.KEYDEPOT_BUILD_PLAIN !== '1',
    // A CommonJS package in the bundle that calls require() for a Node built-in needs a real require.
    banner: {
      js: "import { createRequire as __keydepotCreateRequire } from 'node:module';\nconst require = __keydepotCreateRequire(import.meta.url);",
    },
    plugins: [externals(outdir)],
  });
  return { outfile, bytes: statSync(outfile).size, ms: performance.now() - started };
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  buildDepot().then(
    (built) => {
      process.stdout.write(
        `built ${relative(process.cwd(), built.outfile)} (${Math.round(built.bytes / 1024)} KiB) in ${Math.round(built.ms)} ms\n`,
      );
    },
    (error: unknown) => {
      process.stderr.write(`build-depot: ${(error as Error).message ?? error}\n`);
      process.exit(1);
    },
  );
}
