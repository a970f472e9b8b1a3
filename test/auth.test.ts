import { describe, expect, it } from 'vitest';
import { revokeApiKey } from '../src/iam.js';
import { newTenant, request, sql } from './support/stack.js';

const PROFILES = '/v1/scoring/profiles';

/** The error body without its per-request id, for comparing bodies. */
function withoutRequestId(body: { error: Record<string, unknown> }) {
  const { requestId, ...rest } = body.error;
  expect(requestId).toBeTruthy();
  return rest;
}

describe('API keys', () => {
  it('accepts a valid key', async () => {
    const tenant = await newTenant();
    expect((await tenant.get(PROFILES)).status).toBe(200);
  });

  it('answers missing, malformed, unknown and revoked keys with identical 401 bodies (UNAUTHORIZED)', async () => {
    const tenant = await newTenant();
    const revoked = await newTenant();
    await revokeApiKey(sql, revoked.keyId);
    const cases: { headers: Record<string, string> }[] = [
      { headers: {} },
      { headers: { authorization: 'Basic dXNlcjpwYXNz' } },
      { headers: { authorization: 'Bearer sk_live_short' } },
      { headers: { authorization: `Bearer ${tenant.key.replace('sk_live_', 'sk_test_')}` } },
      { headers: { authorization: `Bearer ${tenant.key}x` } },
      { headers: { authorization: `Bearer sk_live_${'A'.repeat(43)}` } },
      { headers: { authorization: `Bearer ${revoked.key}` } },
      { headers: { authorization: `bearer ${tenant.key} extra` } },
    ];

    const responses = await Promise.all(cases.map((c) => request('GET', PROFILES, c)));

    const bodies = responses.map((r) => {
      expect(r.status).toBe(401);
      expect(r.headers.get('x-request-id')).toBe(r.body.error.requestId);
      return withoutRequestId(r.body);
    });
    expect(bodies[0]).toEqual({ code: 'UNAUTHORIZED', message: expect.any(String) });
    for (const body of bodies) expect(body).toEqual(bodies[0]);
  });

  it('checks the key before anything about the request body (UNAUTHORIZED)', async () => {
    const response = await request('POST', PROFILES, {
      rawBody: 'name=x',
      headers: { 'content-type': 'text/plain' },
    });

    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe('UNAUTHORIZED');
  });

  it('stops accepting a revoked key within one second, although it was cached', async () => {
    const tenant = await newTenant();
    expect((await tenant.get(PROFILES)).status).toBe(200);

    await revokeApiKey(sql, tenant.keyId);
    const revokedAt = Date.now();
    let status = 200;
    while (status === 200 && Date.now() - revokedAt < 1000) {
      status = (await tenant.get(PROFILES)).status;
      if (status === 200) await new Promise((r) => setTimeout(r, 25));
    }

    expect(status).toBe(401);
  });

  it('records when a key was last used', async () => {
    const tenant = await newTenant();

    await tenant.get(PROFILES);

    const [key] = await sql`select last_used_at from iam.api_keys where id = ${tenant.keyId}`;
    expect(key!.last_used_at).toBeInstanceOf(Date);
  });

  it('stores only the SHA-256 of a key, never the key', async () => {
    const tenant = await newTenant();

    const [row] = await sql`select * from iam.api_keys where id = ${tenant.keyId}`;

    expect(JSON.stringify(row)).not.toContain(tenant.key.slice(8));
    expect(row!.key_hash).toHaveLength(32);
    expect(tenant.key).toMatch(/^sk_live_[A-Za-z0-9_-]{43}$/);
  });
});
