import { describe, expect, it } from 'vitest';
import type { KeypadKey } from '../hardware/types.js';
import { IDLE_SESSION, pressKey, type SessionState, type SessionStep, timeOut } from './keypad-session.js';
import { textsFor } from './texts.js';

const de = textsFor('de');
const en = textsFor('en');

function type(keys: string, state: SessionState = IDLE_SESSION, texts = de): SessionStep[] {
  const steps: SessionStep[] = [];
  let current = state;
  for (const key of keys) {
    const step = pressKey(current, key as KeypadKey, texts);
    steps.push(step);
    current = step.state;
  }
  return steps;
}

describe('keypad session', () => {
  it('collects digits and shows them masked', () => {
    const steps = type('4711');
    expect(steps.at(-1)?.state.digits).toBe('4711');
    expect(steps.at(-1)?.feedback?.lines).toEqual(['PIN eingeben', '****']);
    expect(steps.map((s) => s.feedback?.beep)).toEqual(['key', 'key', 'key', 'key']);
    expect(JSON.stringify(steps.map((s) => s.feedback))).not.toMatch(/[0-9]/);
  });

  it('submits on # and starts over', () => {
    const last = type('123456#').at(-1);
    expect(last?.submit).toBe('123456');
    expect(last?.state).toEqual(IDLE_SESSION);
  });

  it('* clears what was typed', () => {
    const steps = type('123*987654#');
    expect(steps.at(-1)?.submit).toBe('987654');
    expect(steps[3].feedback?.lines).toEqual(['PIN eingeben']);
  });

  it('refuses a PIN shorter than 6 digits without a verdict', () => {
    const last = type('12345#').at(-1);
    expect(last?.submit).toBeUndefined();
    expect(last?.feedback).toMatchObject({ lines: ['PIN zu kurz'], beep: 'error' });
  });

  it('# on nothing only beeps', () => {
    const step = type('#')[0];
    expect(step).toMatchObject({ state: IDLE_SESSION, feedback: { beep: 'error' } });
    expect(step.submit).toBeUndefined();
  });

  it('takes at most 12 digits; more are refused with an error beep', () => {
    const steps = type('1234567890123#');
    expect(steps[12].feedback?.beep).toBe('error');
    expect(steps.at(-1)?.submit).toBe('123456789012');
  });

  it('forgets the digits on the inactivity timeout', () => {
    const state = type('1234').at(-1)?.state ?? IDLE_SESSION;
    expect(timeOut(state, de)).toEqual({ state: IDLE_SESSION, feedback: { lines: ['PIN eingeben'], led: 'off' } });
    expect(timeOut(IDLE_SESSION, de).feedback).toBeUndefined();
  });

  it('speaks English when configured', () => {
    expect(type('1', IDLE_SESSION, en)[0].feedback?.lines).toEqual(['Enter PIN', '*']);
    expect(en.open(3)).toBe('Compartment 3 open');
    expect(de.locked(30)).toBe('Gesperrt 30 s');
  });
});
