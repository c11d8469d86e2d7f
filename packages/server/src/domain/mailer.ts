/**
 * The core's port for e-mail: it says what to send, never how. The server plugs in SMTP
 * (outbound/mailer.ts) or, with no SMTP configured, the log.
 */
export interface Mail {
  to: string;
  subject: string;
  /** plain text */
  text: string;
}

export interface Mailer {
  /**
   * Hands one mail over for delivery. Rejects when it could not be handed over; an adapter logs
   * its own failures, since callers that must not wait for the mail (the tooling login) do not
   * await it.
   */
  send(mail: Mail): Promise<void>;
}

/** For tools and benchmarks: every mail fails. */
export const noMailer: Mailer = {
  async send() {
    throw new Error('e-mail is not configured');
  },
};
