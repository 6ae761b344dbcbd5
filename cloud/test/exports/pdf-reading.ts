import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

/** Where rendered pages go for people to look at (ignored by git). */
export const RENDERED = fileURLToPath(new URL('../../../test-results/exports/', import.meta.url));

// pdf.js reads the widths of the 14 standard fonts (our Helvetica) from its package.
const STANDARD_FONTS = `${join(dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json')), 'standard_fonts')}/`;

/** A PDF read back with pdf.js: its title and each page's text (items joined by spaces). */
export async function readPdf(bytes: Uint8Array): Promise<{ title: string; pages: string[]; keywords: string }> {
  const doc = await getDocument({
    data: new Uint8Array(bytes),
    useSystemFonts: false,
    standardFontDataUrl: STANDARD_FONTS,
  }).promise;
  const meta = await doc.getMetadata();
  const info = meta.info as { Title?: string; Keywords?: string };
  const pages: string[] = [];
  for (let n = 1; n <= doc.numPages; n++) {
    const content = await (await doc.getPage(n)).getTextContent();
    pages.push(content.items.map((item) => ('str' in item ? item.str : '')).join(' '));
  }
  await doc.destroy();
  return { title: info.Title ?? '', keywords: info.Keywords ?? '', pages };
}

/**
 * Whether Debian's pdftoppm (poppler-utils) is here. Without it the render
 * step is skipped, unless KEYDEPOT_REQUIRE_BROWSER=1 (CI), which makes it fail.
 */
export function havePdftoppm(): boolean {
  const found = spawnSync('pdftoppm', ['-v']).status === 0;
  if (!found && process.env.KEYDEPOT_REQUIRE_BROWSER === '1') {
    throw new Error('pdftoppm is missing (apt-get install poppler-utils) and KEYDEPOT_REQUIRE_BROWSER=1');
  }
  return found;
}

/** Keeps a PDF in test-results/exports (for rendering and for people to open); returns its path. */
export function keepPdf(bytes: Uint8Array, name: string): string {
  mkdirSync(RENDERED, { recursive: true });
  const file = join(RENDERED, `${name}.pdf`);
  writeFileSync(file, bytes);
  return file;
}

/** Renders page `page` of the PDF file to `<name>.png` in test-results/exports at 80 dpi. */
export function renderPage(pdfFile: string, page: number, name: string): string {
  mkdirSync(RENDERED, { recursive: true });
  const prefix = join(RENDERED, name);
  execFileSync('pdftoppm', [
    '-png',
    '-r',
    '80',
    '-f',
    String(page),
    '-l',
    String(page),
    '-singlefile',
    pdfFile,
    prefix,
  ]);
  return `${prefix}.png`;
}
