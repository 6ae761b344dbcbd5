import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseScenario } from './scenario-file.js';

const depot = { id: 'hof', name: 'Hof', compartments: 6 };
const file = (over: Record<string, unknown>) => JSON.stringify({ name: 'test', depots: [depot], steps: [], ...over });
const failure = (source: string, name = 'test.json') => {
  try {
    parseScenario(source, name);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('parsed although it should not');
};

describe('parseScenario', () => {
  it('binds each step to its command with checked, typed arguments', () => {
    const scenario = parseScenario(
      file({
        start: '2026-06-05T16:55:00+02:00',
        steps: [
          { do: 'pin', name: 'guest', digits: '73920418', kind: 'recurring', schedule: 'daily 08:00-20:00' },
          { at: '1h20min', do: 'type', keys: '73920418#', note: 'outside the hours' },
          { do: 'expect-event', event: 'pin-rejected', pin: 'guest', count: 1, within: '5min' },
        ],
      }),
    );
    expect(scenario.startWallMs).toBe(Date.UTC(2026, 5, 5, 14, 55));
    expect(scenario.depots).toEqual([{ alias: 'hof', name: 'Hof', compartments: 6, address: 'simulated' }]);
    const [pin, type, expectation] = scenario.steps;
    expect(pin?.command.name).toBe('pin');
    expect(pin?.args.get('schedule')).toEqual([{ days: 0b111_1111, startMinute: 480, endMinute: 1200 }]);
    expect(type).toMatchObject({ number: 2, atMs: 4_800_000, note: 'outside the hours', text: 'type keys=73920418#' });
    expect(expectation?.args.get('count')).toBe(1);
    expect(expectation?.args.get('within')).toBe(300_000);
  });

  it('names the step, the field and what is wrong', () => {
    expect(failure(file({ steps: [{ do: 'type', keys: '12a#' }] }))).toBe(
      'step 1 (type): keys must be keypad keys (0-9, *, #), got "12a#"',
    );
    expect(failure(file({ steps: [{ do: 'open-door' }, { do: 'wiggle' }] }))).toMatch(/^step 2: no command 'wiggle'/);
    expect(failure(file({ steps: [{ do: 'open-door', compartmnt: 3 }] }))).toMatch(
      /^step 1 \(open-door\): open-door has no parameter 'compartmnt' \(it takes: compartment, force, depot\)$/,
    );
    expect(failure(file({ steps: [{ do: 'expect-event' }] }))).toBe('step 1 (expect-event): expect-event needs event');
    expect(failure(file({ steps: [{ do: 'expect-event', event: 'key-gone' }] }))).toMatch(/event must be one of boot,/);
    expect(
      failure(
        file({
          steps: [
            { at: '2h', do: 'status' },
            { at: '1h', do: 'status' },
          ],
        }),
      ),
    ).toMatch(/^step 2: at goes back in time/);
    expect(failure(file({ steps: [{ do: 'status', depot: 'service' }] }))).toBe(
      "step 1 (status): no depot 'service' in this scenario",
    );
    expect(failure(file({ steps: [{ at: 'later', do: 'status' }] }))).toMatch(/at must be a duration/);
  });

  it('checks the depots and the file as a whole', () => {
    expect(failure('{"name": "x",')).toMatch(/^test\.json is not valid JSON/);
    expect(failure(file({ steps: [{ do: 'status' }], depots: [depot, depot] }))).toBe(
      "depot 2: id 'hof' is used twice",
    );
    expect(failure(file({ steps: [{ do: 'status' }], depots: [{ ...depot, compartments: 65 }] }))).toMatch(
      /compartments must be a whole number 1-64/,
    );
    expect(failure(file({ steps: [{ do: 'status' }], speed: 3 }))).toMatch(/unknown field 'speed'/);
    expect(failure(file({ steps: [] }))).toBe('steps must be a non-empty list');
    expect(failure(file({ steps: [{ do: 'status' }] }), 'x.yaml')).toMatch(/YAML scenarios need a YAML parser/);
    expect(failure('[1, 2]')).toBe('test.json must be an object');
    expect(failure(file({ steps: [{ do: 'status' }], name: ' ' }))).toBe('test.json: name must be a text');
    expect(failure(file({ steps: [{ do: 'status' }], start: 'tomorrow' }))).toMatch(/^start must be an ISO time/);
    expect(failure(file({ steps: [{ do: 'status' }], depots: [{ ...depot, language: 'fr' }] }))).toBe(
      'depot 1: language must be de or en',
    );
    expect(failure(file({ steps: [{ do: 'status' }], depots: [{ ...depot, colour: 'red' }] }))).toBe(
      "depot 1: unknown field 'colour' (allowed: id, name, compartments, address, language, timeZone)",
    );
    expect(failure(file({ steps: [{ do: 'status' }], depots: [{ ...depot, id: 'Hof' }] }))).toBe(
      'depot 1: id must be lower-case letters, digits, -',
    );
    expect(failure(file({ steps: [{ do: 'status' }, 'status'] }))).toBe('step 2 must be an object');
    expect(failure(file({ steps: [{ do: 'status', note: '' }] }))).toBe('step 1 (status): note must be a text');
    expect(failure(file({ steps: [{ note: 'x' }] }))).toBe("step 1: 'do' must name a command");
    expect(failure(file({ steps: [{ do: 'status' }], depots: undefined }))).toBe('depots must be a non-empty list');
  });

  it('accepts every example scenario shipped', () => {
    const dir = new URL('../../scenarios/', import.meta.url);
    const names = readdirSync(dir).filter((name) => name.endsWith('.json'));
    expect(names.length).toBeGreaterThanOrEqual(4);
    for (const name of names) {
      expect(parseScenario(readFileSync(new URL(name, dir), 'utf8'), name).steps.length).toBeGreaterThan(5);
    }
  });
});
