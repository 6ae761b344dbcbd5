import { describe, expect, it } from 'vitest';
import { COMMANDS, usage } from '../scenario/commands.js';
import { helpText, parseLine, tokenize } from './command-line.js';

const call = (line: string) => {
  const parsed = parseLine(line);
  if (parsed.kind !== 'call') throw new Error(`not a call: ${JSON.stringify(parsed)}`);
  return { name: parsed.command.name, args: Object.fromEntries(parsed.args) };
};
const error = (line: string) => {
  const parsed = parseLine(line);
  if (parsed.kind !== 'error') throw new Error(`not an error: ${JSON.stringify(parsed)}`);
  return parsed.message;
};

describe('tokenize', () => {
  it('keeps quoted blanks inside one word, also after name=', () => {
    expect(tokenize(`expect-display "Fach 3 offen"  within=2s`)).toEqual([
      'expect-display',
      'Fach 3 offen',
      'within=2s',
    ]);
    expect(tokenize(`pin g 12345678 schedule='sat,sun 14:00-20:00'`)).toEqual([
      'pin',
      'g',
      '12345678',
      'schedule=sat,sun 14:00-20:00',
    ]);
  });
});

describe('parseLine', () => {
  it('fills parameters left to right, by name, and flags by their bare name', () => {
    expect(call('type 48291377#')).toEqual({ name: 'type', args: { keys: '48291377#' } });
    expect(call('open-door 4 force')).toEqual({ name: 'open-door', args: { compartment: 4, force: true } });
    expect(call('open-door depot=service 2')).toEqual({
      name: 'open-door',
      args: { compartment: 2, depot: 'service' },
    });
    expect(call('wait 2h')).toEqual({ name: 'wait', args: { for: 7_200_000 } });
    expect(call('expect-event key-removed count=1 compartment=3')).toEqual({
      name: 'expect-event',
      args: { event: 'key-removed', count: 1, compartment: 3 },
    });
    expect(call('pin guest 73920418 recurring schedule="daily 08:00-20:00" until=+1d').args).toMatchObject({
      name: 'guest',
      kind: 'recurring',
      schedule: [{ days: 127, startMinute: 480, endMinute: 1200 }],
      until: { relativeMs: 86_400_000 },
    });
  });

  it('answers help, quit and blank or comment lines without running anything', () => {
    expect(parseLine('   ')).toEqual({ kind: 'empty' });
    expect(parseLine('# a comment')).toEqual({ kind: 'empty' });
    expect(parseLine('help type')).toEqual({ kind: 'help', topic: 'type' });
    expect(parseLine('quit')).toEqual({ kind: 'quit' });
    expect(parseLine('exit')).toEqual({ kind: 'quit' });
  });

  it('says what is wrong and how the command is used', () => {
    expect(error('wiggle')).toBe("unknown command 'wiggle'; 'help' lists them");
    expect(error('type')).toBe('type needs keys; usage: type <keys> [depot]');
    expect(error('type 12a')).toMatch(/^type: keys must be keypad keys .*; usage: type <keys> \[depot\]$/);
    expect(error('wait 2h 3h')).toBe('too many words for wait <for>');
    expect(error('close-door lid=1')).toMatch(/close-door has no parameter 'lid'/);
  });
});

describe('help', () => {
  it('lists every command of the table with its usage, and one command in detail', () => {
    const text = helpText().join('\n');
    for (const command of COMMANDS) expect(text).toContain(usage(command));
    expect(helpText('open-door')).toEqual([
      "open-door [compartment] [force] [depot]: pull a compartment's door (opens only while its lock is energised, unless forced)",
      '  compartment  (optional) compartment number (default: the selected one)',
      '  force        (optional) break it open (tamper)',
      '  depot        (optional) depot alias, id or name (default: the selected one)',
    ]);
  });
});
