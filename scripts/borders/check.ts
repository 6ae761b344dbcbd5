/**
 * Walks a checkout and applies the import borders (rules.ts) and the
 * citation check (citations.ts) to every source file, tracked or not, so that
 * a new file is checked before its first commit.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import ts from 'typescript';
import { badCitations, type Citation } from './citations.js';
import { type Crossing, checkImport } from './rules.js';

/** Folders that hold no source of ours: installed packages and build output anywhere… */
const SKIPPED_NAMES = new Set(['node_modules', '.git', 'dist', 'coverage']);
/** …and, at these places only, test, demo and benchmark output. */
const SKIPPED_PATHS = new Set(['test-results', 'data', 'bench/results']);
const CODE = /\.(?:ts|tsx|mts|cts|js|mjs|cjs)$/;
/** Where a citation can stand: code, shell scripts, documentation, package manifests. */
const CITING = /(?:\.(?:ts|tsx|mts|cts|js|mjs|cjs|sh|md)|\/package\.json|^package\.json)$/;

/**
 * Known crossings, reported but not failed: `scripts/borders/pending.txt`, one
 * `file -> specifier` a line, exact. An entry that no longer occurs fails the
 * check until it is deleted, so the list only shrinks and a fixed crossing
 * cannot come back. A tree without the file has no pending crossings.
 */
export const PENDING_FILE = 'scripts/borders/pending.txt';

export function readPending(root: string): string[] {
  const path = join(root, PENDING_FILE);
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

export interface BorderReport {
  readonly crossings: Crossing[];
  /** Crossings named in the pending list: reported, not failed. */
  readonly pending: Crossing[];
  /** Pending entries that no longer occur. */
  readonly stale: string[];
  readonly citations: Citation[];
  readonly filesRead: number;
}

function* sourceFiles(root: string, dir = root): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = relative(root, join(dir, entry.name)).split(sep).join('/');
    if (entry.isDirectory()) {
      if (!SKIPPED_NAMES.has(entry.name) && !SKIPPED_PATHS.has(path)) yield* sourceFiles(root, join(dir, entry.name));
    } else if (entry.isFile()) {
      yield path;
    }
  }
}

export function checkRepository(root: string, pendingList: readonly string[] = readPending(root)): BorderReport {
  const crossings: Crossing[] = [];
  const pending: Crossing[] = [];
  const citations: Citation[] = [];
  const seen = new Set<string>();
  let filesRead = 0;
  for (const file of sourceFiles(root)) {
    const code = CODE.test(file);
    if (!code && !CITING.test(file)) continue;
    const text = readFileSync(join(root, file), 'utf8');
    filesRead++;
    citations.push(...badCitations(file, text, (path) => existsSync(join(root, path))));
    if (!code) continue;
    for (const imported of ts.preProcessFile(text, true, true).importedFiles) {
      const crossing = checkImport(file, imported.fileName);
      if (!crossing) continue;
      const key = `${file} -> ${imported.fileName}`;
      seen.add(key);
      (pendingList.includes(key) ? pending : crossings).push(crossing);
    }
  }
  const stale = pendingList.filter((key) => !seen.has(key));
  return { crossings, pending, stale, citations, filesRead };
}

/** The report as lines for a terminal; `failed` when anything but pending crossings was found. */
export function formatReport(report: BorderReport): { lines: string[]; failed: boolean } {
  const lines: string[] = [];
  for (const c of report.crossings) lines.push(`${c.file}: import '${c.specifier}': ${c.reason}`);
  for (const c of report.citations) lines.push(`${c.file}:${c.line}: '${c.text}' ${c.reason}`);
  for (const key of report.stale) {
    lines.push(`${PENDING_FILE}: '${key}' no longer occurs: delete the line`);
  }
  const failed = lines.length > 0;
  if (report.pending.length > 0) {
    lines.push(`${report.pending.length} pending crossing(s), listed in ${PENDING_FILE} until they are replaced:`);
    for (const c of report.pending) lines.push(`  ${c.file}: import '${c.specifier}': ${c.reason}`);
  }
  const problems = report.crossings.length + report.citations.length + report.stale.length;
  lines.push(
    failed
      ? `borders: ${problems} problem(s) in ${report.filesRead} files`
      : `borders: ${report.filesRead} files, no forbidden import, every cited document exists`,
  );
  return { lines, failed };
}
