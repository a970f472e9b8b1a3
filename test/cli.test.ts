import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { databaseUrl, request } from './support/stack.js';

const exec = promisify(execFile);

/** Runs `scoring ...` against the test database and parses its one JSON document. */
async function scoring(...args: string[]): Promise<any> {
  const { stdout } = await exec('node', ['bin/scoring.js', ...args, '--json'], {
    env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' },
  });
  const lines = stdout.trim().split('\n');
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0]!);
}

describe('scoring CLI', () => {
  it('creates an org, issues, lists and revokes keys, printing one JSON document each', async () => {
    const org = await scoring('orgs', 'create', '--name', 'CLI org');
    expect(org.id).toMatch(/^[0-9a-f]{24}$/);

    const key = await scoring('keys', 'create', '--org', org.id, '--name', 'ci');
    expect(key).toMatchObject({ orgId: org.id, name: 'ci', prefix: key.key.slice(0, 12) });
    expect(key.key).toMatch(/^sk_live_[A-Za-z0-9_-]{43}$/);
    expect((await request('GET', '/v1/scoring/profiles', { key: key.key })).status).toBe(200);

    const listed = await scoring('keys', 'list', '--org', org.id);
    expect(listed).toEqual([
      expect.objectContaining({ id: key.id, prefix: key.prefix, revokedAt: null }),
    ]);
    expect(JSON.stringify(listed)).not.toContain(key.key);

    const revoked = await scoring('keys', 'revoke', key.id);
    expect(revoked.revokedAt).not.toBeNull();
    await new Promise((r) => setTimeout(r, 1000));
    expect((await request('GET', '/v1/scoring/profiles', { key: key.key })).status).toBe(401);
  }, 60_000);

  it('fails with a JSON error and a non-zero exit for an unknown key id', async () => {
    const failure = await exec('node', ['bin/scoring.js', 'keys', 'revoke', 'nope', '--json'], {
      env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' },
    }).catch((error) => error);

    expect(failure.code).toBe(1);
    expect(JSON.parse(failure.stdout)).toEqual({ error: expect.stringContaining('no such key') });
  }, 60_000);
});
