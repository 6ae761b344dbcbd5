import { createTransport } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import type { OutgoingMail } from '../store/mail/mail-outbox.js';

/** Hands one mail to the mail server; throws a MailSendError when it is not accepted. */
export interface MailTransport {
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

/** The server did not take a mail. `reason` is what the owner sees: no address, no content, no password. */
export class MailSendError extends Error {
  override name = 'MailSendError';
  constructor(
    readonly reason: string,
    /** A 5xx answer: the server refuses this mail, and sending it again will not help. */
    readonly permanent: boolean,
  ) {
    super(reason);
  }
}

/** Removes mail addresses and URL credentials from a server answer before it is stored or shown. */
export function scrubServerAnswer(text: string): string {
  return text
    .replace(/[^\s<>@"']+@[^\s<>@"']+/g, '<address>')
    .replace(/\/\/[^\s/@]+@/g, '//')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 300);
}

/** SMTP through nodemailer (`smtp://user:pass@host:587`, STARTTLS when offered; `smtps://` for TLS on connect). */
export function createSmtpTransport(options: { url: string; from: string; timeoutMs?: number }): MailTransport {
  const timeout = options.timeoutMs ?? 30_000;
  const transporter = createTransport({
    url: options.url,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
  } as SMTPTransport.Options);
  return {
    async send(mail) {
      try {
        await transporter.sendMail({ from: options.from, to: mail.to, subject: mail.subject, text: mail.text });
      } catch (error) {
        const e = error as { code?: string; responseCode?: number; response?: string; message?: string };
        const answer = e.response ?? e.message ?? 'unknown error';
        const reason = scrubServerAnswer([e.code, answer].filter(Boolean).join(': '));
        throw new MailSendError(reason, typeof e.responseCode === 'number' && e.responseCode >= 500);
      }
    },
    close: () => transporter.close(),
  };
}
