// Helpers shared by the scores suites: SQL seeding as the owner (the same
// path an analyst's SQL takes, with every trigger and check), a worker
// runner, and waiting for asynchronous work without timing assertions.
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import type { Sql, TransactionSql } from 'postgres';
import { databaseUrl, sql } from './support/stack.js';

export type Db = Sql | TransactionSql;
export type AnswerType = 'boolean' | 'number' | 'select' | 'multi_select';
export type ObjectType = 'company' | 'contact';

export async function createProfile(db: Db, orgId: string, objectType: ObjectType = 'company') {
  const [row] = await db<{ id: string }[]>`
    insert into scoring.profiles (org_id, object_type, name)
    values (${orgId}, ${objectType}, 'Test profile')
    returning id`;
  return row.id;
}

/** A template with its version 1; returns the template and version ids. */
export async function createTemplate(
  db: Db,
  orgId: string,
  answerType: AnswerType,
  options: { objectType?: ObjectType; options?: string[] | null } = {},
) {
  const [row] = await db<{ id: string }[]>`
    insert into signals.templates (org_id, name, object_type, answer_type, options)
    values (${orgId}, 'Signal', ${options.objectType ?? 'company'}, ${answerType},
      ${options.options ? db.json(options.options) : null})
    returning id`;
  // A deferred trigger adds version 1 at commit; inside a transaction (these
  // helpers often run in rolled-back ones) it is written here first.
  await db`
    insert into signals.template_versions (org_id, template_id, version)
    values (${orgId}, ${row.id}, 1)
    on conflict do nothing`;
  const [version] = await db<{ id: string }[]>`
    select id from signals.template_versions
    where org_id = ${orgId} and template_id = ${row.id} and version = 1`;
  return { templateId: row.id, versionIds: [version.id] };
}

/** Adds version n+1 of a template; returns its id. */
export async function addTemplateVersion(db: Db, orgId: string, templateId: string) {
  const [row] = await db<{ id: string }[]>`
    insert into signals.template_versions (org_id, template_id, version)
    select ${orgId}, ${templateId}, coalesce(max(version), 0) + 1
    from signals.template_versions
    where org_id = ${orgId} and template_id = ${templateId}
    returning id`;
  return row.id;
}

export async function upsertRule(
  db: Db,
  orgId: string,
  rule: {
    profileId: string;
    templateId: string;
    dimension: string;
    answerType: AnswerType;
    pointValues: unknown;
    objectType?: ObjectType;
  },
) {
  const [row] = await db<{ id: string }[]>`
    insert into scoring.rules
      (org_id, profile_id, object_type, template_id, dimension, answer_type, point_values)
    values (${orgId}, ${rule.profileId}, ${rule.objectType ?? 'company'}, ${rule.templateId},
      ${rule.dimension}, ${rule.answerType}, ${db.json(rule.pointValues as never)})
    on conflict (org_id, profile_id, template_id, dimension)
    do update set point_values = excluded.point_values
    returning id`;
  return row.id;
}

export async function assign(
  db: Db,
  orgId: string,
  profileId: string,
  objectIds: string[],
  objectType: ObjectType = 'company',
) {
  await db`
    insert into scoring.assignments (org_id, profile_id, object_type, object_id)
    select ${orgId}, ${profileId}, ${objectType}, unnest(${objectIds}::text[])`;
}

export interface AnswerRow {
  objectId: string;
  templateId: string;
  versionId: string;
  value: unknown;
  /** Defaults to the time of the write. */
  answeredAt?: Date;
  objectType?: ObjectType;
}

/** An answer to a template's first version. */
export function answerTo(
  template: { templateId: string; versionIds: string[] },
  objectId: string,
  value: unknown,
): AnswerRow {
  return { objectId, templateId: template.templateId, versionId: template.versionIds[0], value };
}

/**
 * Writes answers in one statement, replacing earlier ones per version. Rows
 * go in key order, as api.put_answers writes them, so that two concurrent
 * writes of overlapping answers queue behind each other instead of
 * deadlocking on the answers' own rows.
 */
export async function writeAnswers(db: Db, orgId: string, answers: AnswerRow[]) {
  if (answers.length === 0) return;
  const rows = answers.map((a) => ({
    object_type: a.objectType ?? 'company',
    object_id: a.objectId,
    template_id: a.templateId,
    template_version_id: a.versionId,
    value: a.value,
    answered_at: (a.answeredAt ?? null)?.toISOString() ?? null,
  }));
  await db`
    insert into signals.answers
      (org_id, object_type, object_id, template_id, template_version_id, value, answered_at)
    select ${orgId}, r.object_type, r.object_id, r.template_id, r.template_version_id, r.value,
      coalesce(r.answered_at, now())
    from jsonb_to_recordset(${db.json(rows as never)}) as r (
      object_type text, object_id text, template_id uuid, template_version_id uuid,
      value jsonb, answered_at timestamptz)
    order by r.object_type, r.object_id collate "C", r.template_version_id
    on conflict (org_id, object_type, object_id, template_version_id)
    do update set value = excluded.value, answered_at = excluded.answered_at`;
}

export async function compute(db: Db, profileId: string, objectIds: string[]) {
  const [row] = await db<{ computed: number }[]>`
    select scoring.compute(${profileId}, ${objectIds}::text[]) as computed`;
  return row.computed;
}

export interface ScoreRow {
  object_id: string;
  dimension: string;
  score: string;
  previous_score: string | null;
  delta: string | null;
  earned: string;
  max_possible: string;
  rules_with_answers: number;
  total_rules: number;
  version: number;
  breakdown: Array<Record<string, unknown>>;
}

export async function latestScores(db: Db, profileId: string): Promise<ScoreRow[]> {
  return db<ScoreRow[]>`
    select object_id, dimension, score::text, previous_score::text, delta::text,
      earned::text, max_possible::text, rules_with_answers, total_rules, version, breakdown
    from scoring.scores
    where profile_id = ${profileId}
    order by object_id, dimension`;
}

/** Jobs queued for a profile, as visible to this connection. */
export async function queuedJobs(db: Db, profileId: string) {
  return db<{ task: string; key: string | null; payload: unknown }[]>`
    select t.identifier as task, j.key, j.payload
    from graphile_worker._private_jobs j
    join graphile_worker._private_tasks t on t.id = j.task_id
    where j.key like '%' || ${profileId}
      or j.payload::jsonb @> ${db.json([{ profileId }] as never)}::jsonb
      or j.payload::jsonb @> ${db.json({ profileId } as never)}::jsonb
    order by j.id`;
}

/** The object ids a profile's queued recompute_scores jobs carry. */
export function queuedObjectIds(jobs: Array<{ task: string; payload: unknown }>): string[] {
  const ids = new Set<string>();
  for (const job of jobs) {
    if (job.task !== 'recompute_scores' || !Array.isArray(job.payload)) continue;
    for (const batch of job.payload as Array<{ objectIds: string[] }>) {
      for (const id of batch.objectIds) ids.add(id);
    }
  }
  return [...ids].sort();
}

class Rollback extends Error {}

/** Runs fn in a transaction that is always rolled back; returns its result. */
export async function withRollback<T>(
  fn: (tx: TransactionSql) => Promise<T>,
  db: Sql = sql,
): Promise<T> {
  let result: T | undefined;
  try {
    await db.begin(async (tx) => {
      result = await fn(tx);
      throw new Rollback();
    });
  } catch (error) {
    if (!(error instanceof Rollback)) throw error;
  }
  return result as T;
}

export interface WorkerProcess {
  child: ChildProcess;
  /** SIGTERM, as an operator stops it; resolves when it has exited. */
  stop(): Promise<void>;
  /** SIGKILL: no cleanup of any kind; resolves when it has exited. */
  kill(): Promise<void>;
}

const CLI = resolve(import.meta.dirname, '../bin/scoring.js');

/**
 * `scoring worker` in its own process, as deployed: the task files of jobs/,
 * heartbeats and the stale-worker sweep. Resolves once it is running.
 */
export async function spawnWorker(
  options: { concurrency?: number; databaseUrl?: string } = {},
): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [CLI, 'worker'], {
    env: {
      ...process.env,
      DATABASE_URL: options.databaseUrl ?? databaseUrl,
      WORKER_CONCURRENCY: String(options.concurrency ?? 2),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.stderr?.resume();
  await new Promise<void>((ready, fail) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('running')) ready();
    });
    child.once('exit', (code) => fail(new Error(`worker exited early with ${code}`)));
  });
  const signal = async (name: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(name);
    await exited;
  };
  return { child, stop: () => signal('SIGTERM'), kill: () => signal('SIGKILL') };
}

/**
 * Polls until check returns a value other than undefined, or fails after
 * timeoutMs. For asynchronous work only; nothing asserts how fast it is.
 */
export async function waitFor<T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 20_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Whether the profile has no recompute or fan-out work waiting or running. */
export async function profileIdle(profileId: string): Promise<boolean> {
  const jobs = await queuedJobs(sql, profileId);
  return jobs.length === 0;
}

/** A fresh compute of every assignment of the profile, rolled back: what the
 * latest scores must equal. */
export async function freshScores(profileId: string, db: Sql = sql) {
  return withRollback(async (tx) => {
    const [{ ids }] = await tx<{ ids: string[] }[]>`
      select coalesce(array_agg(object_id), '{}') as ids
      from scoring.assignments where profile_id = ${profileId}`;
    await compute(tx, profileId, ids);
    return comparable(await latestScores(tx, profileId));
  }, db);
}

/** A score row without the fields a recompute is allowed to change. */
export function comparable(rows: ScoreRow[]) {
  return rows.map((row) => ({
    object_id: row.object_id,
    dimension: row.dimension,
    score: row.score,
    earned: row.earned,
    max_possible: row.max_possible,
    rules_with_answers: row.rules_with_answers,
    total_rules: row.total_rules,
    breakdown: row.breakdown,
  }));
}
