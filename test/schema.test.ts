import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { SCHEMA_FILE } from '../src/db/migrate.js';
import { dumpSchema } from '../src/db/schema-dump.js';
import { sql } from './support/stack.js';

const run = promisify(execFile);

/** The dump without the lines that name the pg_dump build. */
function comparable(dump: string): string {
  return dump.replace(/^-- Dumped (from|by) .*$/gm, '').trim();
}

describe('schema', () => {
  it('db/schema.sql is exactly what the migrations produce on PostgreSQL 15 (run npm run db:dump)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'scoring-drift-'));
    try {
      const fresh = join(dir, 'schema.sql');
      await dumpSchema(fresh);

      const [expected, actual] = await Promise.all([
        readFile(fresh, 'utf8'),
        readFile(SCHEMA_FILE, 'utf8'),
      ]);
      expect(comparable(actual)).toBe(comparable(expected));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('enables row-level security on every table that has an org_id', async () => {
    const unprotected = await sql`
      select c.oid::regclass::text as name
      from pg_class c
      join pg_attribute a on a.attrelid = c.oid and a.attname = 'org_id'
      where c.relkind in ('r', 'p')
        and c.relnamespace::regnamespace::text in ('iam', 'scoring', 'signals')
        and not c.relrowsecurity`;
    expect(unprotected).toEqual([]);
  });

  it('leads the primary key of every table that has an org_id with it', async () => {
    const keys = await sql`
      select c.conrelid::regclass::text as name, a.attname as first
      from pg_constraint c
      join pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[1]
      where c.contype = 'p'
        and exists (
          select from pg_attribute o
          where o.attrelid = c.conrelid and o.attname = 'org_id'
        )
        and c.connamespace::regnamespace::text in ('scoring', 'signals')`;
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) expect(key, key.name).toMatchObject({ first: 'org_id' });
  });

  it('has security_invoker views and a comment on every object in api', async () => {
    const views = await sql`
      select c.relname, c.reloptions, obj_description(c.oid) as comment
      from pg_class c
      where c.relnamespace = 'api'::regnamespace and c.relkind = 'v'`;
    const functions = await sql`
      select p.proname, obj_description(p.oid) as comment
      from pg_proc p where p.pronamespace = 'api'::regnamespace`;

    for (const view of views) {
      expect(view.reloptions, view.relname).toContain('security_invoker=true');
      expect(view.comment, view.relname).toBeTruthy();
    }
    for (const fn of functions) expect(fn.comment, fn.proname).toBeTruthy();
  });
});

describe('typescript', () => {
  it('npm run typecheck is clean', async () => {
    await expect(run('npm', ['run', '--silent', 'typecheck'])).resolves.toBeDefined();
  }, 120_000);
});
