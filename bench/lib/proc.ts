import { readFileSync, writeFileSync } from 'node:fs';

/** Resident set size figures of a process, in MB, from /proc (Linux only). */
export interface Rss {
  rssMb: number;
  peakMb: number;
}

function statusField(pid: number, field: string): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

export function rssOf(pid: number): Rss | null {
  const rssMb = statusField(pid, 'VmRSS');
  const peakMb = statusField(pid, 'VmHWM');
  return rssMb === null || peakMb === null ? null : { rssMb, peakMb };
}

/**
 * Resets the kernel's peak-RSS mark (VmHWM) of a process, so that a later
 * read is the peak of one workload rather than of the process's whole life.
 * Returns false where that is not allowed; the peak then covers start-up too.
 */
export function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** Samples a process's RSS every interval and keeps the highest value seen. */
export class RssSampler {
  private timer: NodeJS.Timeout | null = null;
  private highest = 0;
  private kernelPeakValid = false;

  constructor(
    private readonly pid: number,
    private readonly intervalMs = 100,
  ) {}

  start(): this {
    this.highest = 0;
    this.kernelPeakValid = resetPeak(this.pid);
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
    this.sample();
    return this;
  }

  private sample() {
    const rss = rssOf(this.pid);
    if (rss) this.highest = Math.max(this.highest, rss.rssMb);
  }

  /** Stops sampling; the peak is the larger of the sampled and kernel figures. */
  stop(): number {
    if (this.timer) clearInterval(this.timer);
    this.sample();
    if (!this.kernelPeakValid) return this.highest;
    return Math.max(this.highest, rssOf(this.pid)?.peakMb ?? 0);
  }
}

/** Child pids of a process (Linux 3.5+ with CONFIG_PROC_CHILDREN). */
export function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}
