import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import postgres from 'postgres';
import { freePort } from '../net.js';
import { dbmateBinary, dbmateUrl, migrate, SCHEMA_FILE } from './migrate.js';

const run = promisify(execFile);

/**
 * The schema dump is made with PostgreSQL 15, the oldest release the project
 * supports, so that producing it also proves the migrations run there. Debian
 * ships it as `postgresql-15`.
 */
export const PG15_BIN = process.env.PG15_BIN ?? '/usr/lib/postgresql/15/bin';

/**
 * Migrates a scratch PostgreSQL 15 cluster from nothing and writes dbmate's
 * schema dump of it to `target` (graphile-worker's own schema left out: it
 * belongs to that package, not to db/migrations).
 */
export async function dumpSchema(target: string): Promise<void> {
  if (!existsSync(join(PG15_BIN, 'pg_dump'))) {
    throw new Error(`PostgreSQL 15 not found in ${PG15_BIN}: apt-get install postgresql-15`);
  }
  const dir = await mkdtemp(join(tmpdir(), 'scoring-schema-'));
  const owner = await postgresUser();
  if (owner) await chown(dir, owner.uid, owner.gid);
  const port = await freePort();
  await run(join(PG15_BIN, 'initdb'), ['-D', join(dir, 'data'), '-U', 'postgres', '--auth=trust'], {
    ...owner,
  });
  const server = spawn(
    join(PG15_BIN, 'postgres'),
    ['-D', join(dir, 'data'), '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1'],
    { ...owner, stdio: 'ignore' },
  );
  const url = `postgres://postgres@127.0.0.1:${port}/scoring`;
  try {
    await waitForServer(`postgres://postgres@127.0.0.1:${port}/postgres`);
    await run(dbmateBinary(), ['--url', dbmateUrl(url), 'create']);
    await migrate(url);
    await run(
      dbmateBinary(),
      [
        '--url',
        dbmateUrl(url),
        '--schema-file',
        target,
        'dump',
        '--',
        '--exclude-schema=graphile_worker',
      ],
      { env: { ...process.env, PATH: `${PG15_BIN}:${process.env.PATH}` } },
    );
  } finally {
    server.kill('SIGINT');
    await new Promise((resolve) => server.once('exit', resolve));
    await rm(dir, { recursive: true, force: true });
  }
}

/** As root, Postgres must run as the `postgres` system user. */
async function postgresUser(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const [{ stdout: uid }, { stdout: gid }] = await Promise.all([
    run('id', ['-u', 'postgres']),
    run('id', ['-g', 'postgres']),
  ]);
  return { uid: Number(uid), gid: Number(gid) };
}

async function waitForServer(url: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const sql = postgres(url, { max: 1, connect_timeout: 1, onnotice: () => {} });
    try {
      await sql`select 1`;
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 100));
    } finally {
      await sql.end({ timeout: 1 });
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await dumpSchema(SCHEMA_FILE);
}
