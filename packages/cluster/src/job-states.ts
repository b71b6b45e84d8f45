import { arrayTasks } from './array-range.ts';

/**
 * Job states from `squeue -h -r -o '%i|%T'` or `sacct -n -P -X -o JobID,State` output, by job id:
 * `12` (a plain job) or `12_3` (task 3 of array job 12). Ids with a bracket part (`12_[4-7%2]`,
 * pending tasks as sacct lists them) give one entry per task; a state with a note
 * (`CANCELLED by 0`) is cut to its first word.
 */
export function parseJobStates(text: string): Map<string, string> {
  const states = new Map<string, string>();
  for (const line of text.split('\n')) {
    const [id, state] = line.trim().split('|');
    if (!id || !state) continue;
    const word = state.split(' ')[0];
    const bracket = /^(\d+)_(\[.+\])$/.exec(id);
    if (bracket) for (const task of arrayTasks(bracket[2])) states.set(`${bracket[1]}_${task}`, word);
    else states.set(id, word);
  }
  return states;
}
