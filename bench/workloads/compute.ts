import { spawn } from 'node:child_process';
import { settle, waitForScores, type Context } from '../lib/context.js';
import { RssSampler } from '../lib/proc.js';
import { assign, createProfile, resetScores, type Dataset } from '../lib/seed.js';
import { ROOT } from '../lib/stack.js';
import { now, summarise, type Summary } from '../lib/stats.js';

const DIMENSIONS = 2;

export interface ComputeResults {
  /** Objects per second, per variant and size. */
  throughput: Record<string, Record<number, Summary>>;
  /** Seconds from commit to the last score, per variant and size. */
  seconds: Record<string, Record<number, Summary>>;
  perObjectSample: number;
  workerPeakRssMb: number | null;
  /** Scores of the application-side baseline that differ from SQL's. */
  appMismatches: number | null;
  appChecked: number;
  /** Where the application-side baseline spent its time (last run per size), in ms. */
  appPhases: Record<number, Record<string, number>>;
}

const appPhases: Record<number, Record<string, number>> = {};

type Variant = 'a' | 'b' | 'c' | 'd' | 'e';

/** (a) The project's path: the assignment trigger queues, the worker computes. */
async function projectPath(ctx: Context, profileId: string, n: number): Promise<number> {
  const { sql, data } = ctx;
  await settle(sql);
  await assign(sql, data, profileId, 1, n, true);
  const committed = now();
  const done = await waitForScores(sql, profileId, n * DIMENSIONS, ['recompute_scores']);
  return (done - committed) / 1000;
}

/**
 * (a, fan-out) The project's other batch path, taken after a rule change:
 * scoring.fan_out_profile queues chunk jobs of 1,000 objects without a
 * job_key, so both worker slots compute at once. Informational: it shows
 * what the single-job shape of (a) leaves on the table.
 */
async function fanOutPath(ctx: Context, profileId: string, n: number): Promise<number> {
  const { sql, data } = ctx;
  await assign(sql, data, profileId, 1, n, false);
  await settle(sql);
  await sql`select scoring.fan_out_profile(${profileId}::uuid, 1000)`;
  const committed = now();
  const done = await waitForScores(sql, profileId, n * DIMENSIONS, ['recompute_scores']);
  return (done - committed) / 1000;
}

/** (b) One job and one transaction per object, calling the same compute. */
async function perObject(ctx: Context, profileId: string, n: number): Promise<number> {
  const { sql, data } = ctx;
  await assign(sql, data, profileId, 1, n, false);
  await settle(sql);
  await sql`
    select graphile_worker.add_jobs(array(
      select row('bench_compute_one',
        json_build_object('profileId', ${profileId}::uuid, 'objectId', bench.object_id(k)),
        null, null, null, null, null, null)::graphile_worker.job_spec
      from generate_series(1, ${n}::int) as k))`;
  const committed = now();
  const done = await waitForScores(sql, profileId, n * DIMENSIONS, ['bench_compute_one']);
  return (done - committed) / 1000;
}

/** (c) The application-side baseline, as its own Node process. */
async function applicationSide(ctx: Context, profileId: string, n: number): Promise<number> {
  const { sql, data } = ctx;
  await assign(sql, data, profileId, 1, n, false);
  await settle(sql);
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/app-compute.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        DATABASE_URL: ctx.stack.databaseUrl,
        BENCH_ORG: data.orgId,
        BENCH_PROFILE: profileId,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let text = '';
    child.stdout.on('data', (chunk) => (text += chunk));
    child.once('exit', (code) =>
      code === 0 ? resolve(text) : reject(new Error(`app-compute exited ${code}`)),
    );
  });
  const { objects, ms, phases } = JSON.parse(output.trim().split('\n').pop()!) as {
    objects: number;
    ms: number;
    phases: Record<string, number>;
  };
  appPhases[n] = Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, Math.round(v)]));
  ctx.progress(`W1 (c) phases (ms): ${JSON.stringify(appPhases[n])}`);
  if (objects !== n) throw new Error(`application-side baseline computed ${objects} of ${n}`);
  const [{ rows }] = await sql<{ rows: number }[]>`
    select count(*)::int as rows from scoring.scores where profile_id = ${profileId}`;
  if (rows !== n * DIMENSIONS) throw new Error(`application-side baseline wrote ${rows} scores`);
  return ms / 1000;
}

/** A breakdown the size of a real one: ten rules per dimension. */
function constantBreakdown(data: Dataset) {
  return data.rules.slice(0, 10).map((rule, i) => ({
    ruleId: data.templates[i]!.id,
    signalTemplateId: data.templates[rule.templateIndex]!.id,
    signalTemplateVersionId: data.templates[rule.templateIndex]!.versionIds[0],
    answer: true,
    points: 5,
    maxPoints: 10,
  }));
}

/** (d) The floor: the same score and history rows, constant, no logic. */
async function floor(ctx: Context, profileId: string, n: number): Promise<number> {
  const { sql, data } = ctx;
  await assign(sql, data, profileId, 1, n, false);
  await settle(sql);
  const started = now();
  await sql`
    with written as (
      insert into scoring.scores (org_id, profile_id, object_type, object_id, dimension, score,
        previous_score, earned, max_possible, rules_with_answers, total_rules, version,
        breakdown, computed_at)
      select a.org_id, a.profile_id, a.object_type, a.object_id, d.dimension, 50, null, 50, 100,
        7, 10, 1, ${sql.json(constantBreakdown(data))}::jsonb, now()
      from scoring.assignments as a
      cross join (values ('fit'), ('intent')) as d (dimension)
      where a.org_id = ${data.orgId} and a.profile_id = ${profileId}
      returning *
    )
    insert into scoring.score_history (org_id, profile_id, object_type, object_id, dimension,
      version, score, previous_score, earned, max_possible, rules_with_answers, total_rules,
      breakdown, computed_at)
    select w.org_id, w.profile_id, w.object_type, w.object_id, w.dimension, w.version, w.score,
      w.previous_score, w.earned, w.max_possible, w.rules_with_answers, w.total_rules,
      w.breakdown, w.computed_at
    from written as w`;
  return (now() - started) / 1000;
}

/**
 * Recomputes a sample of the application-side baseline's objects with the
 * SQL compute (version 2) and counts the (object, dimension) pairs whose
 * score, sums, coverage or breakdown differ from the baseline's version 1.
 */
async function crossCheck(ctx: Context, profileId: string, sample: number): Promise<number> {
  const { sql, data } = ctx;
  await sql`
    select scoring.compute(${profileId}::uuid, array(
      select bench.object_id(k) from generate_series(1, ${sample}::int) as k))`;
  const [{ differ }] = await sql<{ differ: number }[]>`
    select count(*)::int as differ
    from scoring.score_history as app
    join scoring.score_history as db
      on db.org_id = app.org_id and db.profile_id = app.profile_id
      and db.object_id = app.object_id and db.dimension = app.dimension and db.version = 2
    where app.org_id = ${data.orgId} and app.profile_id = ${profileId} and app.version = 1
      and (app.score <> db.score or app.earned <> db.earned
        or app.max_possible <> db.max_possible
        or app.rules_with_answers <> db.rules_with_answers
        or app.total_rules <> db.total_rules or app.breakdown <> db.breakdown)`;
  const [{ compared }] = await sql<{ compared: number }[]>`
    select count(*)::int as compared from scoring.score_history
    where profile_id = ${profileId} and version = 2`;
  if (compared !== sample * DIMENSIONS) throw new Error(`cross-check compared ${compared} rows`);
  return differ;
}

/** Scores the first n objects through the project's path, for W2 and W3 alone. */
export async function prepareScores(ctx: Context, n: number): Promise<void> {
  await resetScores(ctx.sql, ctx.data, ctx.stack.embedded);
  const profileId = await createProfile(ctx.sql, ctx.data, `prepare-${n}`);
  const seconds = await projectPath(ctx, profileId, n);
  ctx.scoredProfile = { id: profileId, objects: n };
  ctx.progress(`prepared ${n} scored objects in ${seconds.toFixed(1)} s`);
}

const RUNNERS: Record<Variant, (ctx: Context, profileId: string, n: number) => Promise<number>> = {
  a: projectPath,
  b: perObject,
  c: applicationSide,
  d: floor,
  e: fanOutPath,
};

/**
 * W1: every variant at every size, repeated; the variants of one repetition
 * run back to back so that background noise spreads over all of them. (a)
 * runs last, so the largest size's scores stay for the read workloads.
 */
export async function runCompute(ctx: Context): Promise<ComputeResults> {
  const { options, sql, data } = ctx;
  const seconds: Record<string, Record<number, number[]>> = { a: {}, b: {}, c: {}, d: {}, e: {} };
  let appMismatches: number | null = null;
  let appChecked = 0;
  let workerPeakRssMb: number | null = null;
  const largest = options.sizes[options.sizes.length - 1]!;
  const rssSize = options.sizes.includes(100_000) ? 100_000 : largest;
  for (const n of options.sizes) {
    const reps = n >= 1_000_000 ? 1 : options.reps;
    for (let rep = 1; rep <= reps; rep++) {
      for (const variant of ['b', 'c', 'd', 'e', 'a'] as Variant[]) {
        // The per-object baseline runs on its sample once per repetition.
        if (variant === 'b' && n !== options.sizes[0]) continue;
        const size = variant === 'b' ? options.perObjectSample : n;
        await resetScores(sql, data, ctx.stack.embedded);
        const profileId = await createProfile(sql, data, `w1${variant}-${size}-${rep}`);
        const sampler =
          variant === 'a' && n === rssSize ? new RssSampler(ctx.stack.worker.pid).start() : null;
        const elapsed = await RUNNERS[variant](ctx, profileId, size);
        if (sampler) workerPeakRssMb = Math.max(workerPeakRssMb ?? 0, sampler.stop());
        (seconds[variant]![size] ??= []).push(elapsed);
        ctx.progress(
          `W1 (${variant}) ${size} objects, run ${rep}: ${elapsed.toFixed(2)} s, ` +
            `${Math.round(size / elapsed)} objects/s`,
        );
        if (variant === 'c' && appMismatches === null) {
          appChecked = Math.min(size, 500);
          appMismatches = await crossCheck(ctx, profileId, appChecked);
          ctx.progress(
            `W1 (c) cross-check: ${appMismatches} of ${appChecked * DIMENSIONS} ` +
              'scores differ from the SQL compute',
          );
        }
        if (variant === 'a') ctx.scoredProfile = { id: profileId, objects: size };
      }
    }
  }
  const throughput: ComputeResults['throughput'] = {};
  const secondsSummary: ComputeResults['seconds'] = {};
  for (const [variant, bySize] of Object.entries(seconds)) {
    throughput[variant] = {};
    secondsSummary[variant] = {};
    for (const [size, values] of Object.entries(bySize)) {
      secondsSummary[variant]![Number(size)] = summarise(values);
      throughput[variant]![Number(size)] = summarise(values.map((s) => Number(size) / s));
    }
  }
  return {
    throughput,
    seconds: secondsSummary,
    perObjectSample: options.perObjectSample,
    workerPeakRssMb,
    appMismatches,
    appChecked,
    appPhases,
  };
}
