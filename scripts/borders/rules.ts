/**
 * The import borders between the workspace packages, as pure rules (see
 * docs/conventions.md, "Import borders"). A package may import only the
 * packages below it, and only through their package names (`@keydepot/...`,
 * which resolve to the entry points their package.json exports); a relative
 * path may never leave the package it starts in.
 *
 * scripts/ and bench/ are tools, not packages: nothing imports them (their own
 * tests aside), and they may reach into any package, because a benchmark
 * measures internals (one store batch, one PIN verdict) that no package exports.
 */
import { posix } from 'node:path';

export const PACKAGES = ['shared', 'firmware', 'cloud', 'simulator', 'e2e'] as const;
export type PackageName = (typeof PACKAGES)[number];

/** Which packages each package may import by name. */
export const MAY_IMPORT: Readonly<Record<PackageName, readonly PackageName[]>> = {
  // The wire protocol must stay implementable on its own: it depends on nothing of ours.
  shared: [],
  // Depot and cloud meet only on the wire, so neither may call into the other.
  firmware: ['shared'],
  cloud: ['shared'],
  // The simulator is the real firmware against the real cloud.
  simulator: ['shared', 'firmware', 'cloud'],
  // Tests of the whole system.
  e2e: ['shared', 'firmware', 'cloud', 'simulator'],
};

/** Where a file sits: one of the packages, or a tool (scripts/, bench/, the root's config files). */
export type Zone = { kind: 'package'; name: PackageName } | { kind: 'tool'; name: string };

export function zoneOf(file: string): Zone {
  const top = file.split('/')[0] ?? '';
  return (PACKAGES as readonly string[]).includes(top)
    ? { kind: 'package', name: top as PackageName }
    : { kind: 'tool', name: top };
}

/** A test helper entry (`@keydepot/cloud/testing`) is for tests only, never for shipped code. */
function isTestFile(file: string): boolean {
  const parts = file.split('/');
  return parts[1] === 'test' || parts[0] === 'e2e' || /\.test\.tsx?$/.test(file);
}

export interface Crossing {
  /** The importing file, relative to the repository root, with forward slashes. */
  readonly file: string;
  /** The import specifier exactly as written. */
  readonly specifier: string;
  /** Why it is refused, and what to do instead. */
  readonly reason: string;
}

/**
 * Whether `file` (relative to the root) may import `specifier`. Returns the
 * refusal, or undefined when the import is allowed. Imports of node: modules
 * and npm packages are not this check's business.
 */
export function checkImport(file: string, specifier: string): Crossing | undefined {
  const from = zoneOf(file);
  const refuse = (reason: string): Crossing => ({ file, specifier, reason });

  const named = /^@keydepot\/([^/]+)(\/.*)?$/.exec(specifier);
  if (named) {
    const target = named[1] as string;
    const subpath = named[2] ?? '';
    if (!(PACKAGES as readonly string[]).includes(target)) return refuse(`there is no package @keydepot/${target}`);
    if (from.kind === 'tool' || target === from.name) return undefined;
    if (!MAY_IMPORT[from.name].includes(target as PackageName)) {
      const allowed = MAY_IMPORT[from.name].map((name) => `@keydepot/${name}`).join(', ') || 'no other package';
      return refuse(`${from.name} may import ${allowed}, not @keydepot/${target}`);
    }
    if (subpath === '/testing' && !isTestFile(file)) {
      return refuse(`@keydepot/${target}/testing holds test helpers; only tests may import it`);
    }
    return undefined;
  }

  if (!specifier.startsWith('.')) return undefined;
  const resolved = posix.normalize(posix.join(posix.dirname(file), specifier));
  if (resolved === '..' || resolved.startsWith('../')) return refuse('the path leaves the repository');
  if (from.kind === 'tool') return undefined;
  const to = zoneOf(resolved);
  if (to.kind === 'package' && to.name === from.name) return undefined;
  if (to.kind === 'tool') return refuse(`${from.name} reaches into ${to.name}/, a tool; packages never import tools`);
  const where = resolved.split('/').slice(0, 2).join('/');
  const instead = where.endsWith('/test') ? `@keydepot/${to.name}/testing` : `@keydepot/${to.name}`;
  return refuse(`${from.name} reaches into ${where} by a relative path; import ${instead} instead`);
}
