/**
 * Writes docs/test-vectors.json (see shared/test/vectors/build.ts). Run with `pnpm vectors`.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildTestVectors, formatTestVectors } from '../shared/test/vectors/build.js';

const TEST_VECTORS_URL = new URL('../docs/test-vectors.json', import.meta.url);

const text = formatTestVectors(await buildTestVectors());
writeFileSync(TEST_VECTORS_URL, text);
console.log(`wrote ${fileURLToPath(TEST_VECTORS_URL)} (${Buffer.byteLength(text)} bytes)`);
