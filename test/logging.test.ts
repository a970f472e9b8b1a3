import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { freePort } from '../src/net.js';
import { databaseUrl, newTenant } from './support/stack.js';

/** Starts `scoring serve` at debug level and collects its log lines. */
async function serve() {
  const port = await freePort();
  const child = spawn('node', ['bin/scoring.js', 'serve'], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'debug',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    if (
      await fetch(`${url}/healthz`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      return stderr.split('\n').filter(Boolean);
    },
  };
}

describe('logs', () => {
  it('writes one JSON line per request with its scope, and never a key or a JWT', async () => {
    const tenant = await newTenant();
    const server = await serve();
    const auth = { authorization: `Bearer ${tenant.key}` };
    await fetch(`${server.url}/v1/scoring/profiles`, { headers: auth });
    await fetch(`${server.url}/v1/scoring/profiles`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x', objectType: 'company' }),
    });
    await fetch(`${server.url}/v1/scoring/profiles`, {
      headers: { authorization: `Bearer ${tenant.key}x` },
    });

    const lines = await server.stop();

    const entries = lines.map((line) => JSON.parse(line));
    const requests = entries.filter((e) => e.msg === 'request' && e.path.startsWith('/v1/'));
    expect(requests).toHaveLength(3);
    expect(requests[0]).toMatchObject({
      requestId: expect.any(String),
      orgId: tenant.orgId,
      method: 'GET',
      path: '/v1/scoring/profiles',
      status: 200,
      durationMs: expect.any(Number),
    });
    expect(requests[2]).toMatchObject({ status: 401 });
    const everything = lines.join('\n');
    expect(everything).not.toContain(tenant.key.slice('sk_live_'.length));
    expect(everything).not.toMatch(/eyJ[A-Za-z0-9_-]+\.eyJ/);
  }, 60_000);
});
