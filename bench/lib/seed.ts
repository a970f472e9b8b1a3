import { createHash } from 'node:crypto';
import type { Sql } from 'postgres';

/**
 * The seeded data generator. Everything derives from the seed: ids are
 * md5-based UUIDs, rule points come from a seeded PRNG, and answers come from
 * md5 hashes evaluated set-based in SQL (bench.rand). Same seed, same data.
 *
 * One org, 20 signal templates (all four answer types, five each, with 1 to
 * 3 versions), and company profiles of 20 rules over two dimensions (`fit`
 * gets templates 0-9, `intent` 10-19). About 70% of (object, template) pairs
 * have an answer; a quarter of those on templates with several versions sit
 * on an older version, and some objects also keep a superseded older answer.
 */

export const ANSWER_TYPES = ['boolean', 'number', 'select', 'multi_select'] as const;
type AnswerType = (typeof ANSWER_TYPES)[number];

const SELECT_OPTIONS = ['saas', 'fintech', 'health', 'retail', 'manufacturing', 'other'];
const MULTI_OPTIONS = [
  'salesforce',
  'hubspot',
  'marketo',
  'segment',
  'snowflake',
  'dbt',
  'zendesk',
];
export const TEMPLATE_COUNT = 20;
export const ANSWER_RATE = 0.7;

export interface Template {
  index: number;
  id: string;
  answerType: AnswerType;
  options: string[] | null;
  versionIds: string[];
}

export interface RuleSpec {
  templateIndex: number;
  dimension: 'fit' | 'intent';
  answerType: AnswerType;
  pointValues: Record<string, unknown>;
}

export interface Dataset {
  seed: string;
  orgId: string;
  templates: Template[];
  rules: RuleSpec[];
}

/** A UUID derived from the seed and a name. */
export function seededUuid(seed: string, name: string): string {
  const h = createHash('md5').update(`${seed}|${name}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** mulberry32: a small seeded PRNG. */
function prng(seed: string): () => number {
  let a = createHash('md5').update(seed).digest().readUInt32LE(0);
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The company id of object number k (1-based); already normalised. */
export function objectId(k: number): string {
  return `c${String(k).padStart(7, '0')}.example.com`;
}

export function describeDataset(seed: string): Dataset {
  const random = prng(`${seed}|rules`);
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const templates: Template[] = [];
  const rules: RuleSpec[] = [];
  for (let index = 0; index < TEMPLATE_COUNT; index++) {
    const answerType = ANSWER_TYPES[index % 4]!;
    const versions = 1 + (index % 3);
    templates.push({
      index,
      id: seededUuid(seed, `template|${index}`),
      answerType,
      options:
        answerType === 'select'
          ? SELECT_OPTIONS
          : answerType === 'multi_select'
            ? MULTI_OPTIONS
            : null,
      versionIds: Array.from({ length: versions }, (_, v) =>
        seededUuid(seed, `template|${index}|version|${v + 1}`),
      ),
    });
    let pointValues: Record<string, unknown>;
    switch (answerType) {
      case 'boolean':
        pointValues = { true: int(5, 20), false: int(-5, 3) };
        break;
      case 'number':
        pointValues = {
          ranges: [
            { max: 50, points: int(0, 5) },
            { min: 50, max: 250, points: int(3, 12) },
            { min: 250, max: 1000, points: int(8, 20) },
            { min: 1000, points: int(10, 25) },
          ],
        };
        break;
      case 'select': {
        const options = Object.fromEntries(SELECT_OPTIONS.slice(0, 4).map((o) => [o, int(0, 20)]));
        pointValues = random() < 0.5 ? { options, otherwise: int(0, 5) } : { options };
        break;
      }
      case 'multi_select': {
        const options = Object.fromEntries(MULTI_OPTIONS.map((o) => [o, int(-3, 10)]));
        pointValues = random() < 0.5 ? { options, cap: 15 } : { options };
        break;
      }
    }
    rules.push({
      templateIndex: index,
      dimension: index < 10 ? 'fit' : 'intent',
      answerType,
      pointValues,
    });
  }
  return {
    seed,
    orgId: createHash('md5').update(`${seed}|org`).digest('hex').slice(0, 24),
    templates,
    rules,
  };
}

/**
 * Loads are done as the table owner with session_replication_role = replica,
 * which skips triggers (row validation, job queueing) and foreign-key checks:
 * the generator only produces valid rows, and a workload must not queue
 * computes while its data is being set up. Check constraints still apply.
 */
async function asReplica<T>(sql: Sql, work: (tx: Sql) => Promise<T>): Promise<T> {
  return (await sql.begin(async (tx) => {
    await tx`set local session_replication_role = replica`;
    return work(tx as unknown as Sql);
  })) as T;
}

export async function installHelpers(sql: Sql): Promise<void> {
  await sql.unsafe(`
    create schema if not exists bench;
    -- A uniform number in [0, 1) from the seed and a key: 52 bits of md5.
    create or replace function bench.rand(seed text, key text) returns float8
      language sql immutable parallel safe
    as $$
      select ('x' || substr(md5(seed || '|' || key), 1, 13))::bit(52)::bigint
        / 4503599627370496.0::float8
    $$;
    create or replace function bench.object_id(k integer) returns text
      language sql immutable parallel safe
    as $$ select 'c' || lpad(k::text, 7, '0') || '.example.com' $$;
    create table if not exists bench.job_latency (
      sample integer primary key,
      latency_ms float8 not null
    );
  `);
}

/** The org, its templates and their versions. */
export async function seedOrg(sql: Sql, data: Dataset): Promise<void> {
  await installHelpers(sql);
  await asReplica(sql, async (tx) => {
    await tx`insert into iam.orgs (id, name) values (${data.orgId}, ${'bench ' + data.seed})
      on conflict (id) do nothing`;
    for (const t of data.templates) {
      await tx`
        insert into signals.templates (org_id, id, name, object_type, answer_type, options,
          latest_version)
        values (${data.orgId}, ${t.id}, ${`template ${t.index}`}, 'company', ${t.answerType},
          ${t.options ? sql.json(t.options) : null}, ${t.versionIds.length})
        on conflict do nothing`;
      for (const [v, id] of t.versionIds.entries()) {
        await tx`
          insert into signals.template_versions (org_id, id, template_id, version, definition)
          values (${data.orgId}, ${id}, ${t.id}, ${v + 1},
            ${sql.json({ question: `question ${t.index} v${v + 1}` })})
          on conflict do nothing`;
      }
    }
  });
}

/**
 * Answers for objects first..last, set-based: one insert per chunk of
 * objects, the latest-version answer or (a quarter of the time) an older
 * version's, plus superseded older answers for some objects.
 */
export async function seedAnswers(
  sql: Sql,
  data: Dataset,
  first: number,
  last: number,
  progress?: (done: number) => void,
): Promise<void> {
  const templates = data.templates.map((t) => ({
    i: t.index,
    id: t.id,
    answer_type: t.answerType,
    version_ids: t.versionIds,
    options: t.options ?? [],
  }));
  const chunk = 20_000;
  for (let from = first; from <= last; from += chunk) {
    const to = Math.min(last, from + chunk - 1);
    await asReplica(
      sql,
      (tx) => tx`
      with t as (
        select * from jsonb_to_recordset(${sql.json(templates)}::jsonb)
          as t (i integer, id uuid, answer_type text, version_ids uuid[], options text[])
      ),
      pairs as (
        select k, t.*, k || ':' || t.i as key, cardinality(t.version_ids) as versions
        from generate_series(${from}::int, ${to}::int) as k
        cross join t
        where bench.rand(${data.seed}, k || ':' || t.i || ':present') < ${ANSWER_RATE}
      ),
      chosen as (
        select p.*,
          case when p.versions > 1 and bench.rand(${data.seed}, p.key || ':older') < 0.25
            then 1 + floor(bench.rand(${data.seed}, p.key || ':which') * (p.versions - 1))::int
            else p.versions end as version,
          timestamptz '2026-01-01 00:00:00+00'
            + bench.rand(${data.seed}, p.key || ':at') * interval '300 days' as answered_at,
          bench.rand(${data.seed}, p.key || ':value') as r
        from pairs as p
      ),
      valued as (
        select c.*,
          case c.answer_type
            when 'boolean' then to_jsonb(c.r < 0.55)
            when 'number' then to_jsonb(floor(power(c.r, 2) * 5000)::int)
            when 'select' then
              to_jsonb(c.options[1 + floor(c.r * cardinality(c.options))::int])
            else coalesce((
              select jsonb_agg(o.option order by o.n)
              from unnest(c.options) with ordinality as o (option, n)
              where bench.rand(${data.seed}, c.key || ':option:' || o.n) < 0.35), '[]')
          end as value
        from chosen as c
      )
      insert into signals.answers (org_id, object_type, object_id, template_id,
        template_version_id, value, answered_at)
      select ${data.orgId}, 'company', bench.object_id(v.k), v.id, v.version_ids[v.version],
        v.value, v.answered_at
      from valued as v
      union all
      -- A superseded answer on version 1, a month older than the latest.
      select ${data.orgId}, 'company', bench.object_id(v.k), v.id, v.version_ids[1],
        v.value, v.answered_at - interval '30 days'
      from valued as v
      where v.versions > 1 and v.version = v.versions
        and bench.rand(${data.seed}, v.key || ':superseded') < 0.2`,
    );
    progress?.(to);
  }
  await sql`analyze signals.answers`;
}

/** A company profile with the dataset's 20 rules; ids derive from the name. */
export async function createProfile(sql: Sql, data: Dataset, name: string): Promise<string> {
  const profileId = seededUuid(data.seed, `profile|${name}`);
  const rules = data.rules.map((r) => ({
    id: seededUuid(data.seed, `profile|${name}|rule|${r.templateIndex}`),
    template_id: data.templates[r.templateIndex]!.id,
    dimension: r.dimension,
    answer_type: r.answerType,
    point_values: r.pointValues,
  }));
  await asReplica(sql, async (tx) => {
    await tx`delete from scoring.profiles where org_id = ${data.orgId} and id = ${profileId}`;
    await tx`insert into scoring.profiles (org_id, id, object_type, name)
      values (${data.orgId}, ${profileId}, 'company', ${name})`;
    await tx`
      insert into scoring.rules (org_id, id, profile_id, object_type, template_id, dimension,
        answer_type, point_values)
      select ${data.orgId}, r.id, ${profileId}, 'company', r.template_id, r.dimension,
        r.answer_type, r.point_values
      from jsonb_to_recordset(${sql.json(rules)}::jsonb) as r (id uuid, template_id uuid,
        dimension text, answer_type text, point_values jsonb)`;
  });
  return profileId;
}

/**
 * Assigns objects first..last to a profile in one insert. With `queue`, the
 * assignment trigger runs and queues the first compute, as in production;
 * otherwise nothing is queued.
 */
export async function assign(
  sql: Sql,
  data: Dataset,
  profileId: string,
  first: number,
  last: number,
  queue: boolean,
): Promise<void> {
  const insert = (tx: Sql) => tx`
    insert into scoring.assignments (org_id, profile_id, object_type, object_id)
    select ${data.orgId}, ${profileId}, 'company', bench.object_id(k)
    from generate_series(${first}::int, ${last}::int) as k`;
  if (queue) await insert(sql);
  else await asReplica(sql, insert);
}

/**
 * Removes every score, history row and assignment, so that each repetition
 * starts from the same state. Truncates when this run owns the database;
 * deletes only the bench org's rows otherwise.
 */
export async function resetScores(sql: Sql, data: Dataset, ownDatabase: boolean): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      if (ownDatabase) {
        // Assignments first: the order in which a compute takes these tables.
        await sql`truncate scoring.assignments, scoring.scores, scoring.score_history`;
      } else {
        await sql`delete from scoring.score_history where org_id = ${data.orgId}`;
        await sql`delete from scoring.scores where org_id = ${data.orgId}`;
        await sql`delete from scoring.assignments where org_id = ${data.orgId}`;
        await sql`vacuum analyze scoring.scores, scoring.score_history, scoring.assignments`;
      }
      break;
    } catch (error) {
      // A straggling compute of the previous run can deadlock with the truncate.
      if ((error as { code?: string }).code !== '40P01' || attempt >= 5) throw error;
    }
  }
  await sql`delete from scoring.profiles where org_id = ${data.orgId}`;
}
