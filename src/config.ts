import { resolve } from 'node:path';
import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65535);

const schema = z.object({
  DATABASE_URL: z.string().url().optional(),
  PORT: port.default(3000),
  HOST: z.string().default('0.0.0.0'),
  POSTGREST_PORT: port.default(0),
  DATA_DIR: z.string().default('.data'),
  EMBEDDED_PG_PORT: port.default(54329),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(1024 * 1024),
  KEY_CACHE_TTL_MS: z.coerce.number().int().min(0).default(30_000),
  WORKER_CONCURRENCY: z.coerce.number().int().positive().default(2),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).default(0),
});

export type Config = z.infer<typeof schema> & { dataDir: string };

/** Reads configuration from the environment; throws on an invalid value. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new Error(`invalid configuration: ${problems.join('; ')}`);
  }
  return { ...parsed.data, dataDir: resolve(parsed.data.DATA_DIR) };
}
