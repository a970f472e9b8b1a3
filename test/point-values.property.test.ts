// The SQL point-values validator against an independent TypeScript reading
// of the contract's table ("Answer types, answers and point values"). Random
// point values, valid and invalid, for every answer type: the validator must
// accept exactly what the reading accepts, and for accepted ones derive the
// same maxPoints.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sql } from './support/stack.js';

type AnswerType = 'boolean' | 'number' | 'select' | 'multi_select';
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

// --- The contract, read independently -------------------------------------

const isObject = (value: Json | undefined): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Every n is a finite number in [-1000, 1000]. */
const isPoints = (value: Json | undefined): value is number =>
  typeof value === 'number' && Number.isFinite(value) && value >= -1000 && value <= 1000;

/** Range bounds are any finite number. */
const isBound = (value: Json | undefined) => typeof value === 'number' && Number.isFinite(value);

const onlyKeys = (object: JsonObject, allowed: string[]) =>
  Object.keys(object).every((key) => allowed.includes(key));

function validRanges(ranges: Json | undefined): boolean {
  if (!Array.isArray(ranges) || ranges.length === 0) return false;
  const spans: [number, number][] = [];
  for (const range of ranges) {
    if (!isObject(range) || !onlyKeys(range, ['min', 'max', 'points'])) return false;
    if (!isPoints(range.points)) return false;
    if ('min' in range && !isBound(range.min)) return false;
    if ('max' in range && !isBound(range.max)) return false;
    const low = 'min' in range ? (range.min as number) : -Infinity;
    const high = 'max' in range ? (range.max as number) : Infinity;
    if (!(low < high)) return false;
    spans.push([low, high]);
  }
  // Half-open [low, high) spans overlap when the later start precedes the
  // earlier end; checked pairwise, with no sorting.
  for (let i = 0; i < spans.length; i++) {
    for (let j = i + 1; j < spans.length; j++) {
      const [a, b] = [spans[i]!, spans[j]!];
      if (Math.max(a[0], b[0]) < Math.min(a[1], b[1])) return false;
    }
  }
  return true;
}

function validOptions(options: Json | undefined, templateOptions: string[] | null): boolean {
  if (!isObject(options) || Object.keys(options).length === 0) return false;
  return Object.entries(options).every(
    ([key, points]) =>
      key !== '' && isPoints(points) && (templateOptions === null || templateOptions.includes(key)),
  );
}

function contractAccepts(type: AnswerType, values: Json, templateOptions: string[] | null) {
  if (!isObject(values)) return false;
  switch (type) {
    case 'boolean':
      return onlyKeys(values, ['true', 'false']) && isPoints(values.true) && isPoints(values.false);
    case 'number':
      return onlyKeys(values, ['ranges']) && validRanges(values.ranges);
    case 'select':
      return (
        onlyKeys(values, ['options', 'otherwise']) &&
        validOptions(values.options, templateOptions) &&
        (!('otherwise' in values) || isPoints(values.otherwise))
      );
    case 'multi_select':
      return (
        onlyKeys(values, ['options', 'cap']) &&
        validOptions(values.options, templateOptions) &&
        (!('cap' in values) || (isPoints(values.cap) && values.cap > 0))
      );
  }
}

/** maxPoints of a valid rule, as the contract's last column states it. */
function contractMaxPoints(type: AnswerType, values: JsonObject): number {
  const optionPoints = () => Object.values(values.options as JsonObject) as number[];
  switch (type) {
    case 'boolean':
      return Math.max(0, values.true as number, values.false as number);
    case 'number':
      return Math.max(0, ...(values.ranges as JsonObject[]).map((r) => r.points as number));
    case 'select':
      return Math.max(
        0,
        ...optionPoints(),
        ...('otherwise' in values ? [values.otherwise as number] : []),
      );
    case 'multi_select':
      if ('cap' in values) return values.cap as number;
      return optionPoints().reduce((sum, points) => sum + Math.max(0, points), 0);
  }
}

// --- Generators --------------------------------------------------------------

const OPTION_NAMES = ['saas', 'fintech', 'retail', 'a', 'b', 'x y', 'é', ''];

/** Mostly valid points, sometimes out of range or of the wrong type. */
const points: fc.Arbitrary<Json> = fc.oneof(
  { weight: 16, arbitrary: fc.integer({ min: -1000, max: 1000 }) },
  { weight: 8, arbitrary: fc.double({ min: -1000, max: 1000, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(1000, -1000, 0, -0) },
  { weight: 1, arbitrary: fc.constantFrom(1000.0001, -1000.5, 1e6, -1e300) },
  { weight: 1, arbitrary: fc.constantFrom<Json>('5', null, true, [], {}) },
);

const bound: fc.Arbitrary<Json> = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: -50, max: 50 }) },
  { weight: 2, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
  { weight: 1, arbitrary: fc.constantFrom<Json>('3', null, false) },
);

const unknownKey = fc.constantFrom('extra', 'step', 'weight');

/**
 * An object holding the given keys (or, one time in four, some of them), and
 * one time in `strayOdds` an unknown key as well.
 */
function objectOf(model: Record<string, fc.Arbitrary<Json>>, strayOdds = 10) {
  return fc
    .tuple(
      fc.oneof(
        { weight: 3, arbitrary: fc.record(model) },
        { weight: 1, arbitrary: fc.record(model, { requiredKeys: [] }) },
      ),
      fc.oneof(
        { weight: strayOdds - 1, arbitrary: fc.constant(null) },
        { weight: 1, arbitrary: fc.tuple(unknownKey, points) },
      ),
    )
    .map(([object, stray]) => (stray ? { ...object, [stray[0]]: stray[1] } : object) as Json);
}

/** Adjacent ranges from sorted cut points: valid unless something else breaks. */
const adjacentRanges = fc
  .uniqueArray(fc.integer({ min: -100, max: 100 }), { minLength: 2, maxLength: 5 })
  .chain((cuts) => {
    const sorted = [...cuts].sort((a, b) => a - b);
    return fc
      .tuple(
        fc.array(points, { minLength: sorted.length - 1, maxLength: sorted.length - 1 }),
        fc.boolean(),
        fc.boolean(),
      )
      .map(([awarded, openStart, openEnd]) =>
        awarded.map((p, i) => {
          const range: JsonObject = { min: sorted[i]!, max: sorted[i + 1]!, points: p };
          if (i === 0 && openStart) delete range.min;
          if (i === awarded.length - 1 && openEnd) delete range.max;
          return range;
        }),
      );
  });

const randomRanges = fc.array(objectOf({ min: bound, max: bound, points }), { maxLength: 4 });

const optionName = fc.oneof(
  { weight: 20, arbitrary: fc.constantFrom(...OPTION_NAMES.filter((name) => name !== '')) },
  { weight: 1, arbitrary: fc.constant('') },
);

const optionMap = fc.dictionary(optionName, points, { maxKeys: 4 });

const templateOptions = fc.option(
  fc.uniqueArray(fc.constantFrom(...OPTION_NAMES.filter((name) => name !== '')), {
    minLength: 1,
    maxLength: 5,
  }),
  { freq: 2 },
);

const POINT_VALUES: Record<AnswerType, fc.Arbitrary<Json>> = {
  boolean: objectOf({ true: points, false: points }),
  number: objectOf({
    ranges: fc.oneof(
      { weight: 6, arbitrary: adjacentRanges },
      { weight: 3, arbitrary: randomRanges },
      { weight: 1, arbitrary: fc.constant<Json>(5) },
    ),
  }),
  select: objectOf({ options: optionMap, otherwise: points }),
  multi_select: objectOf({
    options: optionMap,
    cap: fc.oneof(
      { weight: 4, arbitrary: fc.double({ min: Number.MIN_VALUE, max: 1000, noNaN: true }) },
      { weight: 2, arbitrary: points },
      { weight: 1, arbitrary: fc.constantFrom(0, -1) },
    ),
  }),
};

/** Sometimes not an object at all. */
const pointValuesFor = (type: AnswerType) =>
  fc.oneof(
    { weight: 12, arbitrary: POINT_VALUES[type] },
    { weight: 1, arbitrary: fc.constantFrom<Json>(null, 3, 'x', [1, 2]) },
  );

// --- The comparison ----------------------------------------------------------

async function sqlVerdict(type: AnswerType, values: Json, options: string[] | null) {
  try {
    const [row] = await sql`
      select scoring.validate_point_values(${type}, ${sql.json(values as never)},
          ${options === null ? null : sql.json(options)}) as valid,
        scoring.rule_max_points(${type}, ${sql.json(values as never)}) as max_points`;
    return { accepted: row!.valid === true, maxPoints: Number(row!.max_points) };
  } catch (error) {
    expect(error).toMatchObject({ code: 'PT422', message: 'INVALID_POINT_VALUES' });
    return { accepted: false, maxPoints: null };
  }
}

describe.each(['boolean', 'number', 'select', 'multi_select'] as const)(
  'scoring.validate_point_values for %s rules',
  (type) => {
    it('accepts exactly the point values the contract accepts, else raises INVALID_POINT_VALUES', async () => {
      let accepted = 0;
      let refused = 0;
      await fc.assert(
        fc.asyncProperty(pointValuesFor(type), templateOptions, async (generated, options) => {
          // What the database sees: the JSON text of the value.
          const values = JSON.parse(JSON.stringify(generated)) as Json;
          const expected = contractAccepts(type, values, options);

          const verdict = await sqlVerdict(type, values, options);

          expect(verdict.accepted).toBe(expected);
          if (expected) {
            const max = contractMaxPoints(type, values as JsonObject);
            expect(Math.abs(verdict.maxPoints! - max)).toBeLessThanOrEqual(
              1e-9 * Math.max(1, Math.abs(max)),
            );
            accepted++;
          } else {
            refused++;
          }
        }),
        { numRuns: 300 },
      );
      // Both sides of the boundary were exercised.
      expect(accepted).toBeGreaterThan(20);
      expect(refused).toBeGreaterThan(20);
    });
  },
);
