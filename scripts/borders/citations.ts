/**
 * A comment that cites a document must cite one a reader of this repository
 * can open: the repository stands alone. Two checks: the team handbook's
 * section marks and file names (which live outside the repository) are
 * refused outright, and every `docs/<name>.md` or `docs/<name>.json` a file
 * names must exist.
 */

// Built from parts so that this file does not cite what it refuses.
const SECTION = '\u00a7';
const HANDBOOK_MARK = new RegExp(`\\b(?:DESIGN|STYLE) ${SECTION}`, 'g');
const HANDBOOK_FILE = /\b(?:DESIGN|STYLE)\.md\b/g;
const DOCS_PATH = /(?<![\w./-])docs\/[\w./-]*\w\.(?:md|json)\b/g;

export interface Citation {
  readonly file: string;
  readonly line: number;
  readonly text: string;
  readonly reason: string;
}

/** The citations in one file that point outside the repository; `exists` answers for paths relative to the root. */
export function badCitations(file: string, text: string, exists: (path: string) => boolean): Citation[] {
  const found: Citation[] = [];
  const lines = text.split('\n');
  lines.forEach((line, index) => {
    const at = (match: string, reason: string) => found.push({ file, line: index + 1, text: match, reason });
    for (const match of line.matchAll(HANDBOOK_MARK)) {
      at(match[0], 'cites the team handbook, which is not in the repository: cite docs/ instead');
    }
    for (const match of line.matchAll(HANDBOOK_FILE)) {
      at(match[0], 'names the team handbook, which is not in the repository: cite docs/ instead');
    }
    for (const match of line.matchAll(DOCS_PATH)) {
      if (!exists(match[0])) at(match[0], 'names a document that does not exist');
    }
  });
  return found;
}
