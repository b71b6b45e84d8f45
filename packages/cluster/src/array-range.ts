/**
 * Slurm's `--array` value for task indices: runs of consecutive indices as ranges (`0-3`,
 * `1,3-5`), and `%K` when at most K tasks may run at once.
 */
export function arrayRange(tasks: readonly number[], parallelism?: number): string {
  const sorted = [...new Set(tasks)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(j === i ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return `${parts.join(',')}${parallelism === undefined ? '' : `%${parallelism}`}`;
}

/** The task indices of an `--array` value or of a job id's bracket part (`0-3`, `1,3-5%2`, `[2-3]`). */
export function arrayTasks(range: string): number[] {
  const body = range.replace(/^\[|\]$/g, '').replace(/%\d+$/, '');
  return body.split(',').flatMap((part) => {
    const [from, to = from] = part.split('-').map(Number);
    return Array.from({ length: to - from + 1 }, (_, k) => from + k);
  });
}
