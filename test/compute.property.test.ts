import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addTemplateVersion,
  assign,
  compute,
  createProfile,
  createTemplate,
  latestScores,
  upsertRule,
  withRollback,
  writeAnswers,
  type AnswerType,
  type Db,
} from './scores-fixtures.js';
import { newTenant } from './support/stack.js';

// An independent reading of the contract's formula. Every amount is held in
// integer cents (BigInt), so the model is exact and the comparison with the
// SQL result is to the cent, with no floating-point tolerance.

type Cents = bigint;
const OPTIONS = ['a', 'b', 'c', 'd', 'e'];

interface Range {
  min?: Cents;
  max?: Cents;
  points: Cents;
}
type PointValues =
  | { type: 'boolean'; true: Cents; false: Cents }
  | { type: 'number'; ranges: Range[] }
  | { type: 'select'; options: Record<string, Cents>; otherwise?: Cents }
  | { type: 'multi_select'; options: Record<string, Cents>; cap?: Cents };
type AnswerValue = boolean | Cents | string | string[];

interface RuleCase {
  dimension: 'fit' | 'intent';
  pointValues: PointValues;
  /** Answers per object: [object index, version index, value]. */
  answers: Array<{ object: number; version: number; value: AnswerValue }>;
  versions: number;
}

const max0 = (...values: Cents[]) => values.reduce((a, b) => (b > a ? b : a), 0n);

function pointsFor(pv: PointValues, answer: AnswerValue | undefined): Cents {
  if (answer === undefined) return 0n;
  switch (pv.type) {
    case 'boolean':
      return answer ? pv.true : pv.false;
    case 'number': {
      const value = answer as Cents;
      const hit = pv.ranges.find(
        (r) => (r.min === undefined || value >= r.min) && (r.max === undefined || value < r.max),
      );
      return hit?.points ?? 0n;
    }
    case 'select':
      return pv.options[answer as string] ?? pv.otherwise ?? 0n;
    case 'multi_select': {
      const sum = (answer as string[]).reduce((s, o) => s + (pv.options[o] ?? 0n), 0n);
      return pv.cap !== undefined && sum > pv.cap ? pv.cap : sum;
    }
  }
}

function maxPointsFor(pv: PointValues): Cents {
  switch (pv.type) {
    case 'boolean':
      return max0(pv.true, pv.false);
    case 'number':
      return max0(...pv.ranges.map((r) => r.points));
    case 'select':
      return max0(
        ...Object.values(pv.options),
        ...(pv.otherwise === undefined ? [] : [pv.otherwise]),
      );
    case 'multi_select':
      return pv.cap ?? Object.values(pv.options).reduce((s, p) => (p > 0n ? s + p : s), 0n);
  }
}

/** score in cents of a point: earned / max * 100, clamped, half away from zero. */
function scoreCents(earned: Cents, max: Cents): Cents {
  if (max <= 0n || earned <= 0n) return 0n;
  if (earned >= max) return 10000n;
  return (earned * 10000n * 2n + max) / (2n * max);
}

const toText = (cents: Cents) => {
  const sign = cents < 0n ? '-' : '';
  const abs = cents < 0n ? -cents : cents;
  return `${sign}${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}`;
};
const toJson = (cents: Cents) => Number(cents) / 100;

function model(rules: RuleCase[], objects: string[]) {
  const result: Array<{
    object_id: string;
    dimension: string;
    score: string;
    earned: Cents;
    max: Cents;
    answered: number;
    total: number;
  }> = [];
  for (const [index, objectId] of objects.entries()) {
    for (const dimension of ['fit', 'intent'] as const) {
      const ofDimension = rules.filter((r) => r.dimension === dimension);
      if (ofDimension.length === 0) continue;
      let earned = 0n;
      let max = 0n;
      let answered = 0;
      for (const rule of ofDimension) {
        // The latest answer across versions: answers are generated in
        // answeredAt order, so the last one for the object wins.
        const mine = rule.answers.filter((a) => a.object === index);
        const latest = mine.at(-1)?.value;
        if (latest !== undefined) answered += 1;
        earned += pointsFor(rule.pointValues, latest);
        max += maxPointsFor(rule.pointValues);
      }
      const score = toText(scoreCents(earned, max));
      const total = ofDimension.length;
      result.push({ object_id: objectId, dimension, score, earned, max, answered, total });
    }
  }
  return result.sort((a, b) => (a.object_id + a.dimension < b.object_id + b.dimension ? -1 : 1));
}

// Generators -----------------------------------------------------------------

const points = fc.bigInt({ min: -100000n, max: 100000n });
const optionPoints = fc.dictionary(fc.constantFrom(...OPTIONS), points, { minKeys: 1, maxKeys: 5 });

const numberRanges = fc
  .uniqueArray(fc.bigInt({ min: -5000n, max: 5000n }), { minLength: 2, maxLength: 6 })
  .chain((bounds) => {
    const sorted = [...bounds].sort((a, b) => (a < b ? -1 : 1));
    const count = sorted.length - 1;
    return fc
      .tuple(
        fc.array(points, { minLength: count, maxLength: count }),
        fc.array(fc.boolean(), { minLength: count, maxLength: count }),
        fc.boolean(),
        fc.boolean(),
      )
      .map(([pts, keep, openStart, openEnd]) => {
        const ranges: Range[] = [];
        for (let i = 0; i < count; i++) {
          if (!keep[i] && ranges.length > 0) continue; // gaps between ranges
          ranges.push({ min: sorted[i], max: sorted[i + 1], points: pts[i] });
        }
        if (openStart) delete ranges[0].min;
        if (openEnd) delete ranges[ranges.length - 1].max;
        return ranges.reverse(); // order in the rule does not matter
      });
  });

const pointValues: fc.Arbitrary<PointValues> = fc.oneof(
  fc.record({ type: fc.constant('boolean' as const), true: points, false: points }),
  fc.record({ type: fc.constant('number' as const), ranges: numberRanges }),
  fc.record(
    { type: fc.constant('select' as const), options: optionPoints, otherwise: points },
    { requiredKeys: ['type', 'options'] },
  ),
  fc.record(
    {
      type: fc.constant('multi_select' as const),
      options: optionPoints,
      cap: fc.bigInt({ min: 1n, max: 100000n }),
    },
    { requiredKeys: ['type', 'options'] },
  ),
);

function answerValue(type: PointValues['type']): fc.Arbitrary<AnswerValue> {
  switch (type) {
    case 'boolean':
      return fc.boolean();
    case 'number':
      return fc.bigInt({ min: -6000n, max: 6000n });
    case 'select':
      return fc.constantFrom(...OPTIONS);
    case 'multi_select':
      return fc.subarray(OPTIONS);
  }
}

const OBJECTS = ['alpha.example', 'beta.example', 'gamma.example'];

const ruleCase: fc.Arbitrary<RuleCase> = fc
  .tuple(
    fc.constantFrom('fit' as const, 'intent' as const),
    pointValues,
    fc.integer({ min: 1, max: 3 }),
  )
  .chain(([dimension, pv, versions]) =>
    fc
      .array(
        fc.record({
          object: fc.integer({ min: 0, max: OBJECTS.length - 1 }),
          version: fc.integer({ min: 0, max: versions - 1 }),
          value: answerValue(pv.type),
        }),
        { maxLength: 5 },
      )
      .map((answers) => ({ dimension, pointValues: pv, answers, versions })),
  );

// SQL side ---------------------------------------------------------------------

function pointValuesJson(pv: PointValues): unknown {
  switch (pv.type) {
    case 'boolean':
      return { true: toJson(pv.true), false: toJson(pv.false) };
    case 'number':
      return {
        ranges: pv.ranges.map((r) => ({
          ...(r.min === undefined ? {} : { min: toJson(r.min) }),
          ...(r.max === undefined ? {} : { max: toJson(r.max) }),
          points: toJson(r.points),
        })),
      };
    case 'select':
      return {
        options: Object.fromEntries(Object.entries(pv.options).map(([k, v]) => [k, toJson(v)])),
        ...(pv.otherwise === undefined ? {} : { otherwise: toJson(pv.otherwise) }),
      };
    case 'multi_select':
      return {
        options: Object.fromEntries(Object.entries(pv.options).map(([k, v]) => [k, toJson(v)])),
        ...(pv.cap === undefined ? {} : { cap: toJson(pv.cap) }),
      };
  }
}

const answerJson = (value: AnswerValue) => (typeof value === 'bigint' ? toJson(value) : value);

/**
 * One profile with a template and a rule per case, the cases' answers in
 * time order (one write each, so a later answer to the same version replaces
 * the earlier one, as the model's "last answer wins" assumes), the objects
 * assigned and computed. Returns the profile id.
 */
async function seedAndCompute(tx: Db, orgId: string, rules: RuleCase[]) {
  const profileId = await createProfile(tx, orgId);
  let clock = Date.now() - 86_400_000;
  for (const rule of rules) {
    const type = rule.pointValues.type as AnswerType;
    const listed = type === 'select' || type === 'multi_select' ? OPTIONS : null;
    const { templateId, versionIds } = await createTemplate(tx, orgId, type, { options: listed });
    for (let v = 1; v < rule.versions; v++) {
      versionIds.push(await addTemplateVersion(tx, orgId, templateId));
    }
    // Two rules may share a dimension; each has its own template.
    await upsertRule(tx, orgId, {
      profileId,
      templateId,
      dimension: rule.dimension,
      answerType: type,
      pointValues: pointValuesJson(rule.pointValues),
    });
    for (const answer of rule.answers) {
      clock += 1000;
      await writeAnswers(tx, orgId, [
        {
          objectId: OBJECTS[answer.object],
          templateId,
          versionId: versionIds[answer.version],
          value: answerJson(answer.value),
          answeredAt: new Date(clock),
        },
      ]);
    }
  }
  await assign(tx, orgId, profileId, OBJECTS);
  await compute(tx, profileId, OBJECTS);
  return profileId;
}

describe('scoring.compute', () => {
  it('matches an independent model of the contract formula to the cent, for random rules and answers', async () => {
    const tenant = await newTenant();
    await fc.assert(
      fc.asyncProperty(fc.array(ruleCase, { minLength: 0, maxLength: 6 }), async (rules) => {
        const rows = await withRollback(async (tx) =>
          latestScores(tx, await seedAndCompute(tx, tenant.orgId, rules)),
        );

        const expected = model(rules, OBJECTS);
        expect(
          rows.map((r) => ({
            object_id: r.object_id,
            dimension: r.dimension,
            score: r.score,
            answered: r.rules_with_answers,
            total: r.total_rules,
          })),
        ).toEqual(
          expected.map((e) => ({
            object_id: e.object_id,
            dimension: e.dimension,
            score: e.score,
            answered: e.answered,
            total: e.total,
          })),
        );
        for (const [i, row] of rows.entries()) {
          expect(Number(row.earned)).toBeCloseTo(Number(expected[i].earned) / 100, 6);
          expect(Number(row.max_possible)).toBeCloseTo(Number(expected[i].max) / 100, 6);
        }
      }),
      { numRuns: 100 },
    );
  }, 120_000);

  it('agrees with scoring.rule_points, the scalar reference definition, on every breakdown item', async () => {
    const tenant = await newTenant();
    await fc.assert(
      fc.asyncProperty(fc.array(ruleCase, { minLength: 1, maxLength: 4 }), async (rules) => {
        const mismatches = await withRollback(async (tx) => {
          const profileId = await seedAndCompute(tx, tenant.orgId, rules);
          return tx`
            select s.object_id, item ->> 'ruleId' as rule_id
            from scoring.scores s
            cross join jsonb_array_elements(s.breakdown) item
            join scoring.rules r on r.id = (item ->> 'ruleId')::uuid
            where s.profile_id = ${profileId}
              and ((item ->> 'points')::numeric
                  <> scoring.rule_points(r.answer_type, r.point_values, item -> 'answer')
                or (item ->> 'maxPoints')::numeric <> r.max_points)`;
        });
        expect(mismatches).toEqual([]);
      }),
      { numRuns: 25 },
    );
  }, 120_000);
});
