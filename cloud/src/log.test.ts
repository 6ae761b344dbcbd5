import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { categoryLogger, createLogger, silentLogger } from './log.js';

function capture(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return {
    stream,
    lines: () =>
      chunks
        .join('')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line)),
  };
}

describe('createLogger', () => {
  it('writes JSON lines with the category and structured fields, above the level only', () => {
    const out = capture();
    const log = categoryLogger(createLogger({ level: 'info', destination: out.stream }), 'relay');
    log.debug('not shown');
    log.info({ depotId: 7 }, 'handshake');
    const [line, ...rest] = out.lines();
    expect(rest).toEqual([]);
    expect(line).toMatchObject({ category: 'relay', depotId: 7, msg: 'handshake', service: 'keydepot-cloud' });
  });

  it('has a silent twin for tests', () => {
    expect(silentLogger().isLevelEnabled('fatal')).toBe(false);
  });
});
