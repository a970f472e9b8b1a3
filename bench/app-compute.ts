/**
 * W1 (c), the application-side baseline: a Node process that scores a whole
 * profile the way an application server would, reading the profile's
 * assignments, rules and latest answers, computing the contract's formula in
 * TypeScript (lib/formula.ts, written independently of the SQL), and writing
 * scores and history rows back in batches of 1,000 objects, one transaction
 * per batch with the batch's assignments locked as the SQL compute does.
 *
 * Prints one JSON line: {objects, ms, phases}; phases splits the time (up to
 * the commit of each batch) into locking, reading, computing and writing.
 */
import postgres from 'postgres';
import { scoreObject, type Answer, type Rule } from './lib/formula.js';

const BATCH = 1000;
const databaseUrl = process.env.DATABASE_URL!;
const orgId = process.env.BENCH_ORG!;
const profileId = process.env.BENCH_PROFILE!;
const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });

/** Milliseconds spent per phase, over all batches: where the time goes. */
const phases = { lock: 0, read: 0, compute: 0, write: 0 };
let mark = performance.now();
const lap = (phase: keyof typeof phases) => {
  const t = performance.now();
  phases[phase] += t - mark;
  mark = t;
};

interface Previous {
  object_id: string;
  dimension: string;
  version: number;
  score: string;
}

async function computeBatch(after: string): Promise<string[] | null> {
  return sql.begin(async (tx) => {
    mark = performance.now();
    const locked = await tx<{ object_id: string }[]>`
      select object_id from scoring.assignments
      where org_id = ${orgId} and profile_id = ${profileId} and object_id > ${after}
      order by object_id
      limit ${BATCH}
      for update`;
    if (locked.length === 0) return null;
    const ids = locked.map((row) => row.object_id);
    lap('lock');

    const [profile] = await tx<{ object_type: string }[]>`
      select object_type from scoring.profiles where org_id = ${orgId} and id = ${profileId}`;
    const rules = await tx<Rule[]>`
      select id, template_id as "templateId", dimension, answer_type as "answerType",
        point_values as "pointValues"
      from scoring.rules
      where org_id = ${orgId} and profile_id = ${profileId}`;
    const templateIds = [...new Set(rules.map((r) => r.templateId))];
    const answers = await tx<(Answer & { object_id: string })[]>`
      select distinct on (object_id, template_id)
        object_id, template_id as "templateId", template_version_id as "templateVersionId", value
      from signals.answers
      where org_id = ${orgId} and object_type = ${profile!.object_type}
        and object_id = any(${ids}::text[]) and template_id = any(${templateIds}::uuid[])
      order by object_id, template_id, answered_at desc, template_version_id desc`;
    const previous = await tx<Previous[]>`
      select distinct on (object_id, dimension) object_id, dimension, version, score::text
      from scoring.score_history
      where org_id = ${orgId} and profile_id = ${profileId} and object_id = any(${ids}::text[])
      order by object_id, dimension, version desc`;
    lap('read');

    const answersByObject = new Map<string, Map<string, Answer>>();
    for (const a of answers) {
      let byTemplate = answersByObject.get(a.object_id);
      if (!byTemplate) answersByObject.set(a.object_id, (byTemplate = new Map()));
      byTemplate.set(a.templateId, a);
    }
    const previousByKey = new Map(previous.map((p) => [`${p.object_id}|${p.dimension}`, p]));

    const columns = {
      objectId: [] as string[],
      dimension: [] as string[],
      score: [] as string[],
      previous: [] as (string | null)[],
      earned: [] as string[],
      max: [] as string[],
      answered: [] as number[],
      total: [] as number[],
      version: [] as number[],
      breakdown: [] as string[],
    };
    for (const id of ids) {
      for (const s of scoreObject(rules, answersByObject.get(id) ?? new Map())) {
        const before = previousByKey.get(`${id}|${s.dimension}`);
        columns.objectId.push(id);
        columns.dimension.push(s.dimension);
        columns.score.push(s.score.toFixed(2));
        columns.previous.push(before ? before.score : null);
        columns.earned.push(String(s.earned));
        columns.max.push(String(s.maxPossible));
        columns.answered.push(s.rulesWithAnswers);
        columns.total.push(s.totalRules);
        columns.version.push((before?.version ?? 0) + 1);
        columns.breakdown.push(JSON.stringify(s.breakdown));
      }
    }

    lap('compute');
    const c = columns;
    await tx`
      with rows as (
        select * from unnest(${c.objectId}::text[], ${c.dimension}::text[],
          ${c.score}::numeric[], ${c.previous}::numeric[], ${c.earned}::numeric[],
          ${c.max}::numeric[], ${c.answered}::int[], ${c.total}::int[], ${c.version}::int[],
          ${c.breakdown}::text[])
          as r (object_id, dimension, score, previous_score, earned, max_possible,
            rules_with_answers, total_rules, version, breakdown)
      ),
      upserted as (
        insert into scoring.scores as s (org_id, profile_id, object_type, object_id, dimension,
          score, previous_score, earned, max_possible, rules_with_answers, total_rules, version,
          breakdown, computed_at)
        select ${orgId}, ${profileId}, ${profile!.object_type}, r.object_id, r.dimension,
          r.score, r.previous_score, r.earned, r.max_possible, r.rules_with_answers,
          r.total_rules, r.version, r.breakdown::jsonb, now()
        from rows as r
        on conflict (org_id, profile_id, object_id, dimension) do update set
          score = excluded.score, previous_score = excluded.previous_score,
          earned = excluded.earned, max_possible = excluded.max_possible,
          rules_with_answers = excluded.rules_with_answers, total_rules = excluded.total_rules,
          version = excluded.version, breakdown = excluded.breakdown,
          computed_at = excluded.computed_at
        returning s.*
      )
      insert into scoring.score_history (org_id, profile_id, object_type, object_id, dimension,
        version, score, previous_score, earned, max_possible, rules_with_answers, total_rules,
        breakdown, computed_at)
      select u.org_id, u.profile_id, u.object_type, u.object_id, u.dimension, u.version,
        u.score, u.previous_score, u.earned, u.max_possible, u.rules_with_answers,
        u.total_rules, u.breakdown, u.computed_at
      from upserted as u`;
    // Dimensions that lost all their rules lose their latest score.
    const dimensions = [...new Set(rules.map((r) => r.dimension))];
    await tx`
      delete from scoring.scores
      where org_id = ${orgId} and profile_id = ${profileId} and object_id = any(${ids}::text[])
        and dimension <> all(${dimensions}::text[])`;
    lap('write');
    return ids;
  });
}

const started = performance.now();
let objects = 0;
let after: string | null = '';
while (after !== null) {
  const ids: string[] | null = await computeBatch(after);
  objects += ids?.length ?? 0;
  after = ids ? ids[ids.length - 1]! : null;
}
const ms = performance.now() - started;
await sql.end();
process.stdout.write(JSON.stringify({ objects, ms, phases }) + '\n');
