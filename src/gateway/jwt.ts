import { createHmac } from 'node:crypto';

const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');

/** Signs an HS256 JWT. */
export function signJwt(claims: Record<string, unknown>, secret: string): string {
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  const signature = createHmac('sha256', secret).update(`${HEADER}.${payload}`).digest('base64url');
  return `${HEADER}.${payload}.${signature}`;
}

/**
 * Short-lived tenant JWTs for PostgREST, one per org, re-signed when less
 * than a minute of life is left. Signing per request would cost an HMAC and
 * a JSON encode on the hot path for no gain.
 */
export class TenantTokens {
  private readonly tokens = new Map<string, { jwt: string; renewAt: number }>();

  constructor(
    private readonly secret: string,
    private readonly lifetimeSeconds = 300,
  ) {}

  forOrg(orgId: string): string {
    const now = Date.now();
    const cached = this.tokens.get(orgId);
    if (cached && cached.renewAt > now) return cached.jwt;
    const exp = Math.floor(now / 1000) + this.lifetimeSeconds;
    const jwt = signJwt({ role: 'scoring_api', org_id: orgId, exp }, this.secret);
    this.tokens.set(orgId, { jwt, renewAt: now + (this.lifetimeSeconds - 60) * 1000 });
    return jwt;
  }
}
