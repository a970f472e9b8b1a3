import { createHash } from 'node:crypto';
import type { Sql } from 'postgres';
import { log } from '../log.js';

/** `sk_live_` and at least 32 characters of the URL-safe base64 alphabet. */
const KEY_PATTERN = /^sk_live_[A-Za-z0-9_-]{32,200}$/;

export interface Principal {
  orgId: string;
  keyId: string;
}

interface CacheEntry extends Principal {
  expiresAt: number;
}

export function hashKey(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}

/**
 * Verifies `sk_live_` keys against iam.api_keys by SHA-256. Verified keys are
 * cached for `ttlMs`; a revocation NOTIFY drops the entry at once, and a
 * (re)connected listener clears the whole cache, since notifications sent
 * while it was away are lost.
 */
export class KeyVerifier {
  private readonly cache = new Map<string, CacheEntry>();
  /** Bumped on every revocation, so a lookup racing one is not cached. */
  private revocations = 0;
  private unlisten?: () => Promise<void>;

  constructor(
    private readonly sql: Sql,
    private readonly ttlMs: number,
  ) {}

  async start(): Promise<void> {
    const meta = await this.sql.listen(
      'iam_api_key_revoked',
      (hashHex) => {
        this.revocations++;
        this.cache.delete(hashHex);
      },
      () => {
        this.revocations++;
        this.cache.clear();
      },
    );
    this.unlisten = meta.unlisten;
  }

  async stop(): Promise<void> {
    await this.unlisten?.().catch(() => undefined);
  }

  /** The key's org, or null for a missing, malformed, unknown or revoked key. */
  async verify(authorization: string | undefined): Promise<Principal | null> {
    const key = /^Bearer (\S+)$/.exec(authorization ?? '')?.[1];
    if (!key || !KEY_PATTERN.test(key)) return null;
    const hash = hashKey(key);
    const hashHex = hash.toString('hex');
    const cached = this.cache.get(hashHex);
    if (cached && cached.expiresAt > Date.now()) return cached;

    const revocationsBefore = this.revocations;
    const [row] = await this.sql<{ orgId: string; keyId: string }[]>`
      update iam.api_keys set last_used_at = now()
      where key_hash = ${hash} and revoked_at is null
      returning org_id as "orgId", id as "keyId"`;
    if (!row) {
      this.cache.delete(hashHex);
      return null;
    }
    if (this.revocations === revocationsBefore) {
      this.cache.set(hashHex, { ...row, expiresAt: Date.now() + this.ttlMs });
    }
    log.debug({ orgId: row.orgId, keyId: row.keyId }, 'api key verified');
    return row;
  }
}
