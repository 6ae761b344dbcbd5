/**
 * Part of `pnpm lint`: fails on an import across a package border
 * (docs/conventions.md, "Import borders") or on a comment citing a document
 * that is not in the repository. Usage: `tsx scripts/check-borders.ts [root]`,
 * root defaulting to this checkout.
 */
import { fileURLToPath } from 'node:url';
import { checkRepository, formatReport } from './borders/check.js';

const root = process.argv[2] ?? fileURLToPath(new URL('..', import.meta.url));
const { lines, failed } = formatReport(checkRepository(root));
for (const line of lines) (failed ? process.stderr : process.stdout).write(`${line}\n`);
process.exitCode = failed ? 1 : 0;
