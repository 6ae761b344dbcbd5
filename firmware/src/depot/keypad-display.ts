import type { Clock, Keypad, Timer } from '../hardware/types.js';
import { type Feedback, idleFeedback } from './keypad-session.js';
import type { Texts } from './texts.js';

export interface KeypadDisplayOptions {
  readonly keypad: Keypad;
  readonly clock: Clock;
  /** How long a verdict stays on the display before the prompt returns. */
  readonly feedbackMs: number;
  readonly texts: () => Texts;
  /** True while the key taker is typing: the prompt does not replace their digits. */
  readonly typing: () => boolean;
}

/** The keypad's display, beeper and LED: shows feedback, and the prompt again once it has been read. */
export class KeypadDisplay {
  private feedbackTimer: Timer | undefined;

  constructor(private readonly options: KeypadDisplayOptions) {}

  /** Shows `feedback`; with `resetAfter`, the idle prompt returns after feedbackMs unless a key was typed. */
  show(feedback: Feedback, resetAfter = true): void {
    const { keypad, clock } = this.options;
    const [line1, line2] = feedback.lines;
    keypad.display(line1, line2);
    if (feedback.beep !== undefined) keypad.beep(feedback.beep);
    if (feedback.led !== undefined) keypad.led(feedback.led);
    this.cancel();
    if (resetAfter) {
      this.feedbackTimer = clock.after(this.options.feedbackMs, () => {
        this.feedbackTimer = undefined;
        if (!this.options.typing()) this.idle();
      });
    }
  }

  /** The idle prompt, to stay. */
  idle(): void {
    this.show(idleFeedback(this.options.texts()), false);
  }

  cancel(): void {
    this.feedbackTimer?.cancel();
    this.feedbackTimer = undefined;
  }
}
