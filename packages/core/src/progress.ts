/**
 * Progress on long work, on stderr: count / total, rate and ETA. On a terminal it redraws one
 * line; elsewhere (CI, log files) it prints a line at most every `intervalMs`.
 */
export class Progress {
  private done = 0;
  private readonly start = performance.now();
  private lastPrint = 0;
  private printed = -1;
  /** Appended to every line after ` | ` (e.g. the progress of the whole experiment the work is part of). */
  status?: () => string;

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly unit = 'it',
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly intervalMs = stream.isTTY ? 100 : 5000,
  ) {}

  tick(n = 1): void {
    this.done += n;
    const now = performance.now();
    if (now - this.lastPrint >= this.intervalMs || this.done >= this.total) {
      this.lastPrint = now;
      this.print(now);
    }
  }

  finish(): void {
    if (this.printed !== this.done) this.print(performance.now());
    if (this.stream.isTTY) this.stream.write('\n');
  }

  private print(now: number): void {
    this.printed = this.done;
    const seconds = (now - this.start) / 1000;
    const rate = seconds > 0 ? this.done / seconds : 0;
    const eta = rate > 0 ? (this.total - this.done) / rate : Infinity;
    const line = `${this.label} ${this.done}/${this.total} ${this.unit} | ${rate.toFixed(2)} ${this.unit}/s | ETA ${formatSeconds(eta)}${this.status ? ` | ${this.status()}` : ''}`;
    this.stream.write(this.stream.isTTY ? `\r${line}\u001b[K` : `${line}\n`);
  }
}

/** `42.0s`, `3m5s`, `2h10m`; `?` when not finite (an ETA before any rate is known). */
export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${Math.round(s - 60 * m)}s`;
  return `${Math.floor(m / 60)}h${m % 60}m`;
}
