import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { constantTimeEqual } from './secrets.js';

/**
 * The server key and what is derived from it: encryption of secrets that must be shown again
 * (app secrets), and signing of developer tokens. One 32-byte key; each use gets its own
 * subkey through HKDF, so a leak of one derived key does not expose the others.
 */
export class Keyring {
  private readonly encryptionKey: Buffer;
  private readonly tokenKey: Buffer;
  private readonly fileKey: Buffer;

  constructor(serverKey: Buffer) {
    if (serverKey.length !== 32) throw new Error('the server key must be 32 bytes');
    this.encryptionKey = Buffer.from(hkdfSync('sha256', serverKey, Buffer.alloc(0), 'switchboard/secrets-at-rest/v1', 32));
    this.tokenKey = Buffer.from(hkdfSync('sha256', serverKey, Buffer.alloc(0), 'switchboard/developer-tokens/v1', 32));
    this.fileKey = Buffer.from(hkdfSync('sha256', serverKey, Buffer.alloc(0), 'switchboard/files/v1', 32));
  }

  static generateKey(): Buffer {
    return randomBytes(32);
  }

  /** AES-256-GCM; `v1.<iv>.<ciphertext>.<tag>` in base64url. */
  encrypt(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.encryptionKey, iv);
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v1', iv.toString('base64url'), ct.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
  }

  /**
   * Sealed secrets opened before, by their sealed form: an app's signing secret is opened for every
   * delivery it signs (2% of an app event's CPU in bench (c)). A sealed form opens to one plaintext
   * only (GCM checks it), and a rotated secret is a new sealed form, so nothing here goes stale.
   */
  private readonly opened = new Map<string, string>();

  decrypt(sealed: string): string {
    const known = this.opened.get(sealed);
    if (known !== undefined) return known;
    const plaintext = this.open(sealed);
    if (this.opened.size >= 1000) this.opened.clear();
    this.opened.set(sealed, plaintext);
    return plaintext;
  }

  private open(sealed: string): string {
    const [version, iv, ct, tag] = sealed.split('.');
    if (version !== 'v1' || !iv || ct === undefined || !tag) throw new Error('not a sealed secret');
    const decipher = createDecipheriv('aes-256-gcm', this.encryptionKey, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
  }

  /**
   * A JWT-shaped token (HS256): developer tooling decodes `exp` to decide when to log in again
   * (docs/app-platform.md §4.1), so the shape matters; the signature is ours alone.
   */
  signJwt(claims: Record<string, unknown>): string {
    const header = b64json({ alg: 'HS256', typ: 'JWT' });
    const payload = b64json(claims);
    return `${header}.${payload}.${this.mac(`${header}.${payload}`)}`;
  }

  /** The claims of a token we signed whose `exp` is in the future, else undefined. */
  verifyJwt(token: string, nowMs = Date.now()): Record<string, unknown> | undefined {
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    const [header, payload, signature] = parts as [string, string, string];
    if (!constantTimeEqual(signature, this.mac(`${header}.${payload}`))) return undefined;
    try {
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
      if (typeof claims.exp !== 'number' || claims.exp * 1000 <= nowMs) return undefined;
      return claims;
    } catch {
      return undefined;
    }
  }

  /**
   * HMAC-SHA256 (base64url) of files' signed data: an upload's response, which /v1/files/upload/complete
   * takes back (docs/pumble-app-platform.md §11.2), and short-lived download URLs. Its own subkey.
   */
  fileSignature(data: string): string {
    return createHmac('sha256', this.fileKey).update(data).digest('base64url');
  }

  private mac(data: string): string {
    return createHmac('sha256', this.tokenKey).update(data).digest('base64url');
  }
}

function b64json(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
