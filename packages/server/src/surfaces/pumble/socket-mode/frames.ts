/**
 * Socket mode's frames (docs/app-platform.md §10.3–§10.4), as the Pumble SDK reads and writes them
 * (pumble-sdk AddonWebsocketListener): every frame to the app is the JSON envelope
 * `{"payload": …, "correlation_id": "…"}` — the SDK parses every frame it receives and reads
 * `.payload`, so nothing else (no greeting, no error text) may ever be sent, `pong` alone excepted
 * as the answer to the app's `ping` (§10.6).
 */

/**
 * An event's frame: the stored envelope embedded verbatim, so the frame carries byte for byte what
 * every attempt of the delivery carries (docs/delivery.md §2.5) and `body` stays a string (§10.3).
 */
export function eventFrame(storedEnvelope: string, correlationId: string): string {
  return `{"payload":${storedEnvelope},"correlation_id":${JSON.stringify(correlationId)}}`;
}

export function triggerFrame(envelope: Record<string, unknown>, correlationId: string): string {
  return JSON.stringify({ payload: envelope, correlation_id: correlationId });
}

/** An app's reply to a trigger (§10.4), as the HTTP answer it stands for. */
export interface SocketReply {
  correlationId: string;
  /** the reply's `status`, 200 when absent */
  status: number;
  /** the answer body as an HTTP app would have sent it */
  body: string;
}

/**
 * Reads a reply frame: JSON with a string `correlation_id`, else undefined. Its body for the §9.1
 * reading is `body` when present — so a response's `message: "ok"` never reaches the person as
 * an ack message — else `{message}` when `message` is a string, else empty.
 */
export function parseReply(text: string): SocketReply | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) return undefined;
  const r = json as Record<string, unknown>;
  if (typeof r.correlation_id !== 'string') return undefined;
  const status = typeof r.status === 'number' && Number.isInteger(r.status) && r.status >= 100 && r.status <= 599 ? r.status : 200;
  const body = r.body !== undefined ? JSON.stringify(r.body) : typeof r.message === 'string' ? JSON.stringify({ message: r.message }) : '';
  return { correlationId: r.correlation_id, status, body };
}
