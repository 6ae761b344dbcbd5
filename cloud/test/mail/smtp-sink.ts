import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** A mail as the sink received it. */
export interface ReceivedMail {
  readonly from: string;
  readonly to: readonly string[];
  readonly subject: string;
  readonly text: string;
}

/**
 * A local SMTP server (smtp-server on 127.0.0.1, port 0) that keeps every
 * mail it accepts, parsed, so tests and the demo read mails back. It can be
 * told to refuse the next recipients with a given SMTP answer (451: try
 * later, 550: refused).
 */
export class SmtpSink {
  readonly mails: ReceivedMail[] = [];
  private readonly refusals: { code: number; message: string }[] = [];
  private readonly waiters: (() => void)[] = [];
  private port = 0;

  private readonly server = new SMTPServer({
    secure: false,
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo: (_address, _session, callback) => {
      const refusal = this.refusals.shift();
      if (!refusal) return callback();
      const error = new Error(refusal.message) as Error & { responseCode: number };
      error.responseCode = refusal.code;
      callback(error);
    },
    onData: (stream, session, callback) => {
      simpleParser(stream).then(
        (parsed) => {
          this.mails.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
          });
          for (const wake of this.waiters.splice(0)) wake();
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });

  static async start(): Promise<SmtpSink> {
    const sink = new SmtpSink();
    await new Promise<void>((resolve) => sink.server.listen(0, '127.0.0.1', resolve));
    sink.port = (sink.server.server.address() as AddressInfo).port;
    return sink;
  }

  /** `smtp://127.0.0.1:<port>` for KEYDEPOT_SMTP_URL. */
  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  /** The next recipient is refused with this SMTP answer. */
  refuseNext(code: number, message: string): void {
    this.refusals.push({ code, message });
  }

  /** Resolves once `count` mails have arrived (or at once if they have). */
  async waitFor(count: number, timeoutMs = 5000): Promise<readonly ReceivedMail[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.mails.length < count) {
      if (Date.now() > deadline) throw new Error(`waited for ${count} mails, got ${this.mails.length}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
    return this.mails;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
