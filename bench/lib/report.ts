import type { Summary } from './stats.js';

export interface Row {
  workload: string;
  variant: string;
  unit: string;
  median: number | null;
  min: number | null;
  max: number | null;
  ratio?: number | null;
  target?: string;
  met?: boolean | null;
}

export function figureRow(
  workload: string,
  variant: string,
  unit: string,
  s: Summary | undefined,
): Row {
  return {
    workload,
    variant,
    unit,
    median: s?.median ?? null,
    min: s?.min ?? null,
    max: s?.max ?? null,
  };
}

/** A row for a target: a ratio (or a single figure) against a bound. */
export function targetRow(
  workload: string,
  variant: string,
  value: number | null | undefined,
  bound: { atLeast?: number; atMost?: number; under?: number },
  unit = 'ratio',
): Row {
  const v = value === undefined || value === null || Number.isNaN(value) ? null : value;
  let target: string;
  let met: boolean | null;
  if (bound.atLeast !== undefined) {
    target = `>= ${bound.atLeast}`;
    met = v === null ? null : v >= bound.atLeast;
  } else if (bound.atMost !== undefined) {
    target = `<= ${bound.atMost}`;
    met = v === null ? null : v <= bound.atMost;
  } else {
    target = `< ${bound.under}`;
    met = v === null ? null : v < bound.under!;
  }
  return { workload, variant, unit, median: null, min: null, max: null, ratio: v, target, met };
}

function format(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '';
  const abs = Math.abs(value);
  if (abs >= 1000) return Math.round(value).toLocaleString('en-US');
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/** The results as one plain-text table. */
export function renderTable(rows: Row[]): string {
  const header = ['workload', 'variant', 'unit', 'median', 'min', 'max', 'ratio', 'target', 'met'];
  const cells = rows.map((r) => [
    r.workload,
    r.variant,
    r.unit,
    format(r.median),
    format(r.min),
    format(r.max),
    format(r.ratio),
    r.target ?? '',
    r.met === undefined ? '' : r.met === null ? 'n/a' : r.met ? 'yes' : 'NO',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const numeric = new Set([3, 4, 5, 6]);
  const line = (c: string[]) =>
    c
      .map((v, i) => (numeric.has(i) ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

/** The same table in Markdown, for docs/performance.md. */
export function renderMarkdown(rows: Row[]): string {
  const header = '| workload | variant | unit | median | min | max | ratio | target | met |';
  const rule = '| --- | --- | --- | ---: | ---: | ---: | ---: | --- | --- |';
  const body = rows.map(
    (r) =>
      `| ${[
        r.workload,
        r.variant,
        r.unit,
        format(r.median),
        format(r.min),
        format(r.max),
        format(r.ratio),
        r.target ?? '',
        r.met === undefined ? '' : r.met === null ? 'n/a' : r.met ? 'yes' : '**no**',
      ].join(' | ')} |`,
  );
  return [header, rule, ...body].join('\n');
}
