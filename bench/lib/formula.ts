/**
 * The contract's scoring formula (CONTRACT.md, "Answer types" and
 * "Scores"), written in TypeScript from the contract alone for the
 * application-side baseline. It shares no code with the SQL compute; the
 * harness checks the two agree on the scores it writes.
 */

export interface Rule {
  id: string;
  templateId: string;
  dimension: string;
  answerType: 'boolean' | 'number' | 'select' | 'multi_select';
  pointValues: any;
}

export interface Answer {
  templateId: string;
  templateVersionId: string;
  value: unknown;
}

export interface BreakdownItem {
  ruleId: string;
  signalTemplateId: string;
  signalTemplateVersionId: string | null;
  answer: unknown;
  points: number;
  maxPoints: number;
}

export interface DimensionScore {
  dimension: string;
  score: number;
  earned: number;
  maxPossible: number;
  rulesWithAnswers: number;
  totalRules: number;
  breakdown: BreakdownItem[];
}

/** Points one rule earns for an answer; 0 without one. */
export function rulePoints(rule: Rule, value: unknown): number {
  if (value === undefined || value === null) return 0;
  const pv = rule.pointValues;
  switch (rule.answerType) {
    case 'boolean':
      return pv[String(value)] ?? 0;
    case 'number': {
      if (typeof value !== 'number') return 0;
      for (const range of pv.ranges as { min?: number; max?: number; points: number }[]) {
        if (
          (range.min === undefined || value >= range.min) &&
          (range.max === undefined || value < range.max)
        )
          return range.points;
      }
      return 0;
    }
    case 'select':
      return pv.options[String(value)] ?? pv.otherwise ?? 0;
    case 'multi_select': {
      const chosen = new Set(Array.isArray(value) ? value.map(String) : [String(value)]);
      let sum = 0;
      for (const option of chosen) sum += pv.options[option] ?? 0;
      return pv.cap === undefined ? sum : Math.min(sum, pv.cap);
    }
  }
}

/** The most points a rule can award. */
export function ruleMaxPoints(rule: Rule): number {
  const pv = rule.pointValues;
  switch (rule.answerType) {
    case 'boolean':
      return Math.max(0, pv.true, pv.false);
    case 'number':
      return Math.max(0, ...pv.ranges.map((r: { points: number }) => r.points));
    case 'select':
      return Math.max(0, ...(Object.values(pv.options) as number[]), pv.otherwise ?? 0);
    case 'multi_select':
      if (pv.cap !== undefined) return pv.cap;
      return (Object.values(pv.options) as number[]).reduce((s, n) => s + Math.max(0, n), 0);
  }
}

/** earned / maxPossible * 100, clamped to [0, 100], to 2 decimals; 0 without a maximum. */
export function finalScore(earned: number, maxPossible: number): number {
  if (maxPossible <= 0) return 0;
  // In hundredths of a percent, so that Math.round rounds halves up as numeric's round does
  // for the non-negative values left after clamping.
  return Math.round(Math.min(10_000, Math.max(0, (earned * 10_000) / maxPossible))) / 100;
}

/** Every dimension's score of one object, from its latest answer per template. */
export function scoreObject(rules: Rule[], answers: Map<string, Answer>): DimensionScore[] {
  const byDimension = new Map<string, DimensionScore>();
  const ordered = [...rules].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const rule of ordered) {
    let d = byDimension.get(rule.dimension);
    if (!d) {
      d = {
        dimension: rule.dimension,
        score: 0,
        earned: 0,
        maxPossible: 0,
        rulesWithAnswers: 0,
        totalRules: 0,
        breakdown: [],
      };
      byDimension.set(rule.dimension, d);
    }
    const answer = answers.get(rule.templateId);
    const points = rulePoints(rule, answer?.value);
    const maxPoints = ruleMaxPoints(rule);
    d.earned += points;
    d.maxPossible += maxPoints;
    d.totalRules += 1;
    if (answer) d.rulesWithAnswers += 1;
    d.breakdown.push({
      ruleId: rule.id,
      signalTemplateId: rule.templateId,
      signalTemplateVersionId: answer?.templateVersionId ?? null,
      answer: answer?.value ?? null,
      points,
      maxPoints,
    });
  }
  for (const d of byDimension.values()) d.score = finalScore(d.earned, d.maxPossible);
  return [...byDimension.values()];
}
