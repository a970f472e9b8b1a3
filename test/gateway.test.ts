import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { startGateway } from '../src/services.js';
import { databaseUrl, newTenant, request } from './support/stack.js';

const PROFILES = '/v1/scoring/profiles';

describe('request shaping', () => {
  it('answers malformed JSON with 400 (MALFORMED_JSON)', async () => {
    const tenant = await newTenant();

    const response = await tenant.post(PROFILES, undefined, {
      rawBody: '{"name": "x", ',
      headers: { 'content-type': 'application/json' },
    });

    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('MALFORMED_JSON');
  });

  it.each(['text/plain', 'application/x-www-form-urlencoded'])(
    'answers a %s body with 415 (UNSUPPORTED_MEDIA_TYPE)',
    async (type) => {
      const tenant = await newTenant();

      const response = await tenant.post(PROFILES, undefined, {
        rawBody: '{"name":"x","objectType":"company"}',
        headers: { 'content-type': type },
      });

      expect(response.status).toBe(415);
      expect(response.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
      expect((await tenant.get(PROFILES)).body.data).toEqual([]);
    },
  );

  it('answers a body that is not an object with 422 (VALIDATION_ERROR)', async () => {
    const tenant = await newTenant();
    for (const body of ['[]', '"text"', 'null', '42']) {
      const response = await tenant.post(PROFILES, undefined, {
        rawBody: body,
        headers: { 'content-type': 'application/json' },
      });
      expect(response.status).toBe(422);
      expect(response.body.error.code).toBe('VALIDATION_ERROR');
    }
  });

  it('answers a body over the limit with 413 (PAYLOAD_TOO_LARGE)', async () => {
    const tenant = await newTenant();

    const response = await tenant.post(PROFILES, {
      name: 'x',
      objectType: 'company',
      description: 'y'.repeat(1024 * 1024 + 1),
    });

    expect(response.status).toBe(413);
    expect(response.body.error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('answers unknown routes with a JSON 404 (NOT_FOUND)', async () => {
    const tenant = await newTenant();

    for (const response of [
      await tenant.get('/v1/nothing-here'),
      await request('GET', '/nothing-here'),
      await tenant.put(PROFILES, { name: 'x' }),
    ]) {
      expect(response.status).toBe(404);
      expect(response.body.error.code).toBe('NOT_FOUND');
    }
  });

  it('puts an x-request-id on every response and repeats it in error bodies', async () => {
    const ok = await request('GET', '/healthz');
    const failed = await request('GET', PROFILES);

    expect(ok.headers.get('x-request-id')).toMatch(/\S+/);
    expect(failed.body.error.requestId).toBe(failed.headers.get('x-request-id'));
  });
});

describe('rate limit', () => {
  it('answers 429 with retry-after once a key spends its budget (RATE_LIMITED)', async () => {
    const config = loadConfig({
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      RATE_LIMIT_PER_MINUTE: '3',
    });
    const gateway = await startGateway(databaseUrl, config);
    const [limited, unaffected] = [await newTenant(), await newTenant()];
    try {
      const get = (key: string) =>
        fetch(`${gateway.url}${PROFILES}`, { headers: { authorization: `Bearer ${key}` } });

      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await get(limited.key)).status);
      const refused = await get(limited.key);

      expect(statuses).toEqual([200, 200, 200, 429]);
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect((await refused.json()).error.code).toBe('RATE_LIMITED');
      expect((await get(unaffected.key)).status).toBe(200);
    } finally {
      await gateway.stop();
    }
  });
});

describe('health, readiness and documentation', () => {
  it('answers /healthz while the process lives', async () => {
    const response = await request('GET', '/healthz');
    expect(response.status).toBe(200);
  });

  it('answers /readyz 200 when Postgres and PostgREST are reachable', async () => {
    const response = await request('GET', '/readyz');
    expect(response.status).toBe(200);
    expect(response.body.data.checks).toEqual({ database: 'ok', postgrest: 'ok' });
  });

  it('answers /readyz 503 once PostgREST is stopped (UNAVAILABLE)', async () => {
    const config = loadConfig({ ...process.env, PORT: '0', HOST: '127.0.0.1' });
    const gateway = await startGateway(databaseUrl, config);
    try {
      expect((await fetch(`${gateway.url}/readyz`)).status).toBe(200);

      await gateway.postgrest.stop();

      const response = await fetch(`${gateway.url}/readyz`);
      expect(response.status).toBe(503);
      const body = await response.json();
      expect(body.error.code).toBe('UNAVAILABLE');
      expect(body.error.details).toEqual([{ path: 'postgrest', message: 'unreachable' }]);
    } finally {
      await gateway.stop();
    }
  });

  it('answers API calls with 503 while PostgREST is down (UNAVAILABLE)', async () => {
    const config = loadConfig({ ...process.env, PORT: '0', HOST: '127.0.0.1' });
    const gateway = await startGateway(databaseUrl, config);
    const tenant = await newTenant();
    try {
      await gateway.postgrest.stop();

      const response = await fetch(`${gateway.url}${PROFILES}`, {
        headers: { authorization: `Bearer ${tenant.key}` },
      });

      expect(response.status).toBe(503);
      expect((await response.json()).error.code).toBe('UNAVAILABLE');
    } finally {
      await gateway.stop();
    }
  });

  it('serves an OpenAPI 3.1 document generated from the route schemas', async () => {
    const response = await request('GET', '/v1/openapi.json');

    expect(response.status).toBe(200);
    expect(response.body.openapi).toBe('3.1.0');
    expect(Object.keys(response.body.paths)).toContain('/v1/scoring/profiles/{profileId}');
    expect(response.body.components.schemas.ScoringProfile).toBeDefined();
  });

  it('serves an interactive API reference at /docs', async () => {
    const response = await request('GET', '/docs');

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(response.body).toContain('/v1/openapi.json');
  });
});
