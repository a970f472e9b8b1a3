import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import postgres, { type Sql } from 'postgres';
import { sleep } from './stats.js';

export const ROOT = resolve(import.meta.dirname, '../..');

/** One running service process of the stack, started as the CLI would be. */
export interface Service {
  name: string;
  child: ChildProcess;
  pid: number;
  stop(): Promise<void>;
}

export interface Stack {
  databaseUrl: string;
  /** True when this run started its own Postgres (and may truncate freely). */
  embedded: boolean;
  gatewayUrl: string;
  postgrestUrl: string;
  gateway: Service;
  worker: Service;
  /** Owner pool used by the harness for loading data and polling. */
  sql: Sql;
  logDir: string;
  postgresVersion: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const { freePort } = await import('../../src/net.js');
  return freePort();
}

/**
 * Spawns `node bin/scoring.js <command>` as its own process, so that its
 * memory can be read from /proc, with its output in a log file.
 */
export function spawnService(
  name: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  logDir: string,
  entry = 'bin/scoring.js',
  nodeArgs: string[] = [],
): Service {
  const out = createWriteStream(join(logDir, `${name}.log`));
  const child = spawn(
    process.execPath,
    [...nodeArgs, ...(entry.endsWith('.ts') ? ['--import', 'tsx'] : []), entry, ...args],
    {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout!.pipe(out, { end: false });
  child.stderr!.pipe(out, { end: false });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    name,
    child,
    pid: child.pid!,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timeout = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timeout);
      }
      out.end();
    },
  };
}

async function waitFor(what: string, check: () => Promise<boolean>, service?: Service) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (service && service.child.exitCode !== null) {
      throw new Error(`${what}: process exited with code ${service.child.exitCode}`);
    }
    if (await check().catch(() => false)) return;
    await sleep(100);
  }
  throw new Error(`${what} not ready within 60 s`);
}

/**
 * Postgres (embedded in a temporary directory on a free port, or
 * DATABASE_URL), migrations, then the gateway with its PostgREST and the
 * worker as separate processes.
 */
export async function startStack(options: {
  workerConcurrency: number;
  /** Write a V8 CPU profile of the gateway into the log directory. */
  profileGateway?: boolean;
}): Promise<Stack> {
  const { startEmbeddedPostgres } = await import('../../src/db/embedded.js');
  const { migrate } = await import('../../src/db/migrate.js');
  const logDir = await mkdtemp(join(tmpdir(), 'scoring-bench-logs-'));
  let databaseUrl = process.env.DATABASE_URL;
  let stopDatabase = async () => {};
  let dataDir: string | undefined;
  const embedded = !databaseUrl;
  if (!databaseUrl) {
    dataDir = await mkdtemp(join(tmpdir(), 'scoring-bench-'));
    const server = await startEmbeddedPostgres({
      dataDir,
      port: await freePort(),
      ephemeral: true,
    });
    databaseUrl = server.url;
    stopDatabase = server.stop;
  }
  const services: Service[] = [];
  const sql = postgres(databaseUrl, {
    max: 8,
    onnotice: () => {},
    connection: { application_name: 'scoring-bench' },
  });
  const stop = async () => {
    for (const service of services.reverse()) await service.stop().catch(() => {});
    await sql.end({ timeout: 5 }).catch(() => {});
    await stopDatabase().catch(() => {});
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  };
  try {
    await migrate(databaseUrl);
    const gatewayPort = await freePort();
    const postgrestPort = await freePort();
    const env = { DATABASE_URL: databaseUrl };
    const gateway = spawnService(
      'gateway',
      ['serve'],
      {
        ...env,
        PORT: String(gatewayPort),
        HOST: '127.0.0.1',
        POSTGREST_PORT: String(postgrestPort),
        RATE_LIMIT_PER_MINUTE: '0',
      },
      logDir,
      'bin/scoring.js',
      options.profileGateway ? ['--cpu-prof', `--cpu-prof-dir=${logDir}`] : [],
    );
    services.push(gateway);
    const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
    await waitFor('gateway', async () => (await fetch(`${gatewayUrl}/readyz`)).ok, gateway);
    const worker = spawnService(
      'worker',
      ['worker'],
      {
        ...env,
        WORKER_CONCURRENCY: String(options.workerConcurrency),
      },
      logDir,
    );
    services.push(worker);
    await waitFor(
      'worker',
      async () => {
        const [row] = await sql<{ n: number }[]>`
        select count(*)::int as n from scoring.worker_heartbeats
        where beat_at > now() - interval '10 seconds'`;
        return row!.n > 0;
      },
      worker,
    );
    const [{ version }] = await sql<{ version: string }[]>`select version()`;
    return {
      databaseUrl,
      embedded,
      gatewayUrl,
      postgrestUrl: `http://127.0.0.1:${postgrestPort}`,
      gateway,
      worker,
      sql,
      logDir,
      postgresVersion: version,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
