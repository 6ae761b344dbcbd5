import { MAX_PIN_DIGITS, MIN_PIN_DIGITS } from '@keydepot/shared';
import type { Beep, KeypadKey, LedColour } from '../hardware/types.js';
import { fitLines, type Texts } from './texts.js';

/**
 * The keypad session as a pure state machine: keys and the inactivity
 * timeout in, new state plus display/beep/LED feedback and perhaps a PIN to
 * check out. The depot core owns the timer and the verdict.
 */
export interface SessionState {
  readonly digits: string;
}

export const IDLE_SESSION: SessionState = { digits: '' };

/** What the keypad should show and sound. */
export interface Feedback {
  readonly lines: readonly [string, string?];
  readonly beep?: Beep;
  readonly led?: LedColour;
}

export interface SessionStep {
  readonly state: SessionState;
  readonly feedback?: Feedback;
  /** Digits to check: `#` was pressed on a PIN of a valid length. */
  readonly submit?: string;
}

/** The display while typing: the prompt, and one '*' per digit (never the digits: shoulder surfing). */
function typing(digits: string, texts: Texts, beep: Beep): Feedback {
  return { lines: [texts.enterPin, '*'.repeat(digits.length)], beep, led: 'amber' };
}

/** The resting display. */
export function idleFeedback(texts: Texts): Feedback {
  return { lines: [texts.enterPin], led: 'off' };
}

/** One key press. */
export function pressKey(state: SessionState, key: KeypadKey, texts: Texts): SessionStep {
  if (key === '*') return { state: IDLE_SESSION, feedback: { ...idleFeedback(texts), beep: 'key' } };
  if (key === '#') {
    if (state.digits.length === 0) return { state, feedback: { ...idleFeedback(texts), beep: 'error' } };
    // Too short to be any PIN: refuse without a verdict (it cannot match, so it reveals nothing and costs no try).
    if (state.digits.length < MIN_PIN_DIGITS) {
      return { state: IDLE_SESSION, feedback: { lines: fitLines(texts.tooShort), beep: 'error', led: 'red' } };
    }
    return { state: IDLE_SESSION, submit: state.digits };
  }
  if (state.digits.length >= MAX_PIN_DIGITS) return { state, feedback: typing(state.digits, texts, 'error') };
  const digits = state.digits + key;
  return { state: { digits }, feedback: typing(digits, texts, 'key') };
}

/** The keypad was silent for the configured time: typed digits are forgotten. */
export function timeOut(state: SessionState, texts: Texts): SessionStep {
  if (state.digits.length === 0) return { state };
  return { state: IDLE_SESSION, feedback: idleFeedback(texts) };
}
