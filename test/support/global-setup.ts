import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { loadConfig } from '../../src/config.js';
import { startEmbeddedPostgres } from '../../src/db/embedded.js';
import { migrate } from '../../src/db/migrate.js';
import { freePort } from '../../src/net.js';
import { startGateway, type Gateway } from '../../src/services.js';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    baseUrl: string;
  }
}

/**
 * One real stack for the whole run: Postgres (embedded in a temporary
 * directory on a free port, or DATABASE_URL), migrations, one PostgREST and
 * the gateway over HTTP. Tests isolate by creating an org each.
 */
export default async function setup(project: TestProject) {
  let stopDatabase = async () => {};
  let databaseUrl = process.env.DATABASE_URL;
  let dataDir: string | undefined;
  if (!databaseUrl) {
    dataDir = await mkdtemp(join(tmpdir(), 'scoring-test-'));
    const server = await startEmbeddedPostgres({
      dataDir,
      port: await freePort(),
      ephemeral: true,
    });
    databaseUrl = server.url;
    stopDatabase = server.stop;
  }
  let gateway: Gateway;
  try {
    await migrate(databaseUrl);
    const config = loadConfig({ ...process.env, PORT: '0', HOST: '127.0.0.1' });
    gateway = await startGateway(databaseUrl, config);
  } catch (error) {
    await stopDatabase();
    throw error;
  }

  project.provide('databaseUrl', databaseUrl);
  project.provide('baseUrl', gateway.url);

  return async () => {
    await gateway.stop();
    await stopDatabase();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  };
}
