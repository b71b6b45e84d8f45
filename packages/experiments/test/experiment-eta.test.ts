import { describe, expect, it, vi } from 'vitest';
import { experimentEstimate } from '../src/runner/experiment-eta.ts';
import { ExperimentProgress } from '../src/runner/experiment-progress.ts';

describe('experiment-level progress', () => {
  it('counts cached runs as done but not in the rate, and estimates the runs not opened yet at the mean size', () => {
    const e = experimentEstimate(
      [
        { total: 100, done: 100, fresh: 0, finished: true }, // cached
        { total: 40, done: 40, fresh: 30, finished: true }, // resumed at 10, finished here
        { total: 60, done: 20, fresh: 20, finished: false }, // running
        { total: undefined, done: 0, fresh: 0, finished: false }, // not opened: (100 + 40 + 60) / 3
      ],
      10,
    );
    expect(e).toEqual({ runsDone: 2, runsTotal: 4, itemsDone: 160, itemsTotal: 200 + 200 / 3, itemsEstimated: true, etaSeconds: (200 + 200 / 3 - 160) / 5 });
  });

  it('has no ETA before a sample was computed here, and none left at the end', () => {
    expect(experimentEstimate([{ total: 8, done: 8, fresh: 0, finished: true }, { total: 8, done: 0, fresh: 0, finished: false }], 3).etaSeconds).toBe(Infinity);
    expect(experimentEstimate([{ total: undefined, done: 0, fresh: 0, finished: false }], 0)).toMatchObject({ itemsTotal: NaN, etaSeconds: Infinity });
    expect(experimentEstimate([{ total: 8, done: 8, fresh: 8, finished: true }], 2)).toMatchObject({ itemsDone: 8, itemsTotal: 8, itemsEstimated: false, etaSeconds: 0 });
  });

  it('tracks the runs as they open, commit and finish', () => {
    vi.useFakeTimers({ toFake: ['performance'] });
    try {
      const progress = new ExperimentProgress('exp', ['a', 'b', 'c'], (id) => (id === 'a' ? 10 : undefined));
      expect(progress.text()).toBe('experiment exp: runs 0/3, samples 0/~30, 0.0s elapsed, ETA ?');
      progress.finished('a'); // cached
      progress.opened('b', 4, 20); // resumed: 4 rows before
      vi.advanceTimersByTime(8000);
      progress.committed('b', 12);
      // 8 samples in 8 s; c counted at (10 + 20) / 2, so 45 − 22 = 23 left at 1/s.
      expect(progress.text()).toBe('experiment exp: runs 1/3, samples 22/~45, 8.0s elapsed, ETA 23.0s');
    } finally {
      vi.useRealTimers();
    }
  });
});
