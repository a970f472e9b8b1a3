import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { runMigrations } from 'graphile-worker';
import { log } from '../log.js';
import { graphileLogger } from '../worker-log.js';

const run = promisify(execFile);
const require = createRequire(import.meta.url);

export const MIGRATIONS_DIR =
  process.env.DBMATE_MIGRATIONS_DIR ?? resolve(import.meta.dirname, '../../db/migrations');
export const SCHEMA_FILE = resolve(import.meta.dirname, '../../db/schema.sql');

/** Path of the dbmate binary that the `dbmate` npm package installed. */
export function dbmateBinary(): string {
  const pkg = require.resolve(`@dbmate/${process.platform}-${process.arch}/package.json`);
  return join(dirname(pkg), 'bin', 'dbmate');
}

/**
 * dbmate's driver (lib/pq) asks for TLS unless told otherwise; a loopback
 * server is the one case where plain TCP is the right default.
 */
export function dbmateUrl(url: string): string {
  const parsed = new URL(url);
  const local = ['localhost', '127.0.0.1', '::1', '[::1]'].includes(parsed.hostname);
  if (local && !parsed.searchParams.has('sslmode')) parsed.searchParams.set('sslmode', 'disable');
  return parsed.toString();
}

/**
 * Brings a database to the current schema: graphile-worker's own schema first
 * (the triggers in our migrations queue jobs into it), then dbmate's
 * migrations from db/migrations.
 */
export async function migrate(databaseUrl: string): Promise<void> {
  await runMigrations({ connectionString: databaseUrl, logger: graphileLogger });
  const { stdout } = await run(dbmateBinary(), [
    '--url',
    dbmateUrl(databaseUrl),
    '--migrations-dir',
    MIGRATIONS_DIR,
    '--no-dump-schema',
    'up',
  ]);
  for (const line of stdout.split('\n').filter(Boolean)) log.debug({ component: 'dbmate' }, line);
  log.info('database migrated');
}
