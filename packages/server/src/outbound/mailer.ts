/**
 * The core's Mailer port (domain/mailer.ts), two ways: SMTP through nodemailer when SMTP_URL is set,
 * else the server log. Mail goes out only for the tooling login's codes (docs/app-platform.md §4.1).
 */
import { createTransport } from 'nodemailer';
import type { FastifyBaseLogger } from 'fastify';
import type { Mail, Mailer } from '../domain/mailer.js';

export interface SmtpSettings {
  /** `smtp://user:pass@host:587` (STARTTLS when the server offers it) or `smtps://…:465` (TLS from the start) */
  url: string;
  /** the From header, e.g. `Switchboard <switchboard@example.com>` */
  from: string;
}

/** One connection per mail: login codes are rare, and nothing is left open at shutdown. */
export class SmtpMailer implements Mailer {
  private readonly transport;

  constructor(
    private readonly settings: SmtpSettings,
    private readonly log: FastifyBaseLogger,
  ) {
    this.transport = createTransport({ url: settings.url, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 });
  }

  async send(mail: Mail): Promise<void> {
    try {
      await this.transport.sendMail({ from: this.settings.from, to: mail.to, subject: mail.subject, text: mail.text });
    } catch (err) {
      // The server's address only: SMTP_URL may carry a password.
      this.log.error({ err: (err as Error).message, smtp: smtpHost(this.settings.url), to: mail.to, subject: mail.subject }, 'sending e-mail failed');
      throw err;
    }
  }
}

/**
 * No SMTP configured: each mail becomes one `warn` line, so an operator can hand a login code on
 * (the start-up line says that this is where codes go).
 */
export class LogMailer implements Mailer {
  constructor(private readonly log: FastifyBaseLogger) {}

  async send(mail: Mail): Promise<void> {
    this.log.warn({ to: mail.to, subject: mail.subject, text: mail.text }, 'e-mail is not configured (SMTP_URL): this mail was written to the log instead of being sent');
  }
}

/** `host:port` of an SMTP URL, without its credentials. */
export function smtpHost(url: string): string {
  try {
    const u = new URL(url);
    return u.port ? `${u.hostname}:${u.port}` : u.hostname;
  } catch {
    return 'unparsable SMTP_URL';
  }
}
