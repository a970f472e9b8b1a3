import { parseArgs } from 'node:util';
import { loadConfig, type Config } from './config.js';
import { migrate } from './db/migrate.js';
import { createAnalystLogin, createApiKey, createOrg, listApiKeys, revokeApiKey } from './iam.js';
import { log } from './log.js';
import { connect, onShutdown, openDatabase, startGateway, type Stop } from './services.js';
import { startWorker } from './worker.js';

const USAGE = `usage: scoring <command> [--json]

  start                          database (embedded unless DATABASE_URL), migrations,
                                 PostgREST, worker and gateway
  serve                          gateway and PostgREST only
  worker                         worker only
  migrate                        apply graphile-worker's schema and db/migrations
  orgs create --name NAME        create an org
  keys create --org ID [--name NAME]
                                 issue an API key (shown once)
  keys list --org ID             list an org's keys (never the keys themselves)
  keys revoke KEY_ID             revoke a key (gateways stop accepting it within 1 s)
  analysts create --org ID --name ROLE
                                 a database login that reads the org's analytics views`;

class UsageError extends Error {}

interface Output {
  json: boolean;
  /** Prints the one result of a command: JSON with --json, else `text`. */
  result(value: unknown, text: string): void;
}

/**
 * Entry point of the `scoring` command. Resolves with the exit code of a
 * one-shot command, or with undefined once long-running services are up.
 */
export async function main(argv: string[]): Promise<number | undefined> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      name: { type: 'string' },
      org: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const out: Output = {
    json: values.json ?? false,
    result(value, text) {
      process.stdout.write(this.json ? JSON.stringify(value) + '\n' : text + '\n');
    },
  };
  const [command, sub, arg] = positionals;
  try {
    if (values.help || !command) {
      process.stdout.write(USAGE + '\n');
      return 0;
    }
    const config = loadConfig();
    switch (command) {
      case 'start':
      case 'serve':
      case 'worker':
        await runServices(command, config, out);
        return undefined;
      case 'migrate':
        await withDatabase(config, async () => {
          out.result({ migrated: true }, 'migrated');
        });
        return 0;
      case 'orgs':
        if (sub !== 'create' || !values.name) throw new UsageError('orgs create --name NAME');
        await withDatabase(config, async (url) => {
          const sql = connect(url, 1);
          const org = await createOrg(sql, values.name!).finally(() => sql.end());
          out.result({ id: org.id, name: org.name }, `org ${org.id} (${org.name})`);
        });
        return 0;
      case 'keys':
        await keysCommand(sub, arg, values, config, out);
        return 0;
      case 'analysts':
        if (sub !== 'create' || !values.org || !values.name) {
          throw new UsageError('analysts create --org ID --name ROLE');
        }
        await withDatabase(config, async (url) => {
          const sql = connect(url, 1);
          const login = await createAnalystLogin(sql, values.org!, values.name!).finally(() =>
            sql.end(),
          );
          out.result(
            login,
            `login ${login.role} for org ${login.orgId}; password (shown once): ${login.password}`,
          );
        });
        return 0;
      default:
        throw new UsageError(`unknown command: ${command}`);
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (out.json) process.stdout.write(JSON.stringify({ error: message }) + '\n');
    else
      process.stderr.write(
        `scoring: ${message}\n${error instanceof UsageError ? USAGE + '\n' : ''}`,
      );
    return error instanceof UsageError ? 2 : 1;
  }
}

async function keysCommand(
  sub: string | undefined,
  arg: string | undefined,
  values: { name?: string; org?: string },
  config: Config,
  out: Output,
): Promise<void> {
  const needs = { create: values.org, list: values.org, revoke: arg } as Record<string, unknown>;
  if (!sub || !(sub in needs) || !needs[sub]) {
    throw new UsageError(
      'keys create --org ID [--name N] | keys list --org ID | keys revoke KEY_ID',
    );
  }
  await withDatabase(config, async (url) => {
    const sql = connect(url, 1);
    try {
      if (sub === 'create') {
        const key = await createApiKey(sql, values.org!, values.name ?? null);
        out.result(key, `${key.key}\n(key ${key.id}; shown once, store it now)`);
      } else if (sub === 'list') {
        const keys = await listApiKeys(sql, values.org!);
        const lines = keys.map(
          (k) => `${k.id}  ${k.prefix}…  ${k.name ?? ''}  ${k.revokedAt ? 'revoked' : 'active'}`,
        );
        out.result(keys, lines.join('\n') || 'no keys');
      } else {
        if (!/^[0-9a-f-]{36}$/i.test(arg!)) throw new Error(`no such key: ${arg}`);
        const key = await revokeApiKey(sql, arg!);
        if (!key) throw new Error(`no such key: ${arg}`);
        out.result(key, `revoked ${key.id}`);
      }
    } finally {
      await sql.end();
    }
  });
}

/** Opens (and migrates) the database for a one-shot command, then closes it. */
async function withDatabase(config: Config, work: (url: string) => Promise<void>): Promise<void> {
  const database = await openDatabase(config);
  try {
    await migrate(database.url);
    await work(database.url);
  } finally {
    await database.stop();
  }
}

async function runServices(command: 'start' | 'serve' | 'worker', config: Config, out: Output) {
  const database = await openDatabase(config);
  const steps: Stop[] = [];
  onShutdown(steps);
  if (command === 'start') await migrate(database.url);
  const firstRun = command === 'start' ? await bootstrapFirstOrg(database.url) : null;
  let url: string | null = null;
  if (command !== 'worker') {
    const gateway = await startGateway(database.url, config);
    steps.push(gateway.stop);
    url = gateway.url;
  }
  if (command !== 'serve') {
    const runner = await startWorker({
      databaseUrl: database.url,
      concurrency: config.WORKER_CONCURRENCY,
    });
    steps.push(() => runner.stop());
    log.info({ concurrency: config.WORKER_CONCURRENCY }, 'worker running');
  }
  steps.push(database.stop);

  const docs = url && `${url}/docs`;
  const text = [
    url
      ? `scoring ${command}: gateway on ${url}, API reference on ${docs}`
      : 'scoring worker: running',
    firstRun
      ? `\nFirst start: created org ${firstRun.orgId} and this API key ` +
        `(shown once, store it now):\n\n  ${firstRun.key}\n`
      : '',
  ].join('');
  out.result({ url, docs, firstRun }, text);
}

/** On the very first start only: one org and one key, printed once. */
async function bootstrapFirstOrg(url: string): Promise<{ orgId: string; key: string } | null> {
  const sql = connect(url, 1);
  try {
    return await sql.begin(async (tx) => {
      await tx`select pg_advisory_xact_lock(hashtext('scoring.bootstrap'))`;
      const [{ exists }] = await tx<{ exists: boolean }[]>`select exists (select from iam.orgs)`;
      if (exists) return null;
      const org = await createOrg(tx as unknown as typeof sql, 'Default org');
      const key = await createApiKey(tx as unknown as typeof sql, org.id, 'first start');
      return { orgId: org.id, key: key.key };
    });
  } finally {
    await sql.end();
  }
}
