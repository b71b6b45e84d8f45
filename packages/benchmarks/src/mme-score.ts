import { percent } from './aggregate.ts';

export const MME_PERCEPTION = ['existence', 'count', 'position', 'color', 'posters', 'celebrity', 'scene', 'landmark', 'artwork', 'OCR'] as const;
export const MME_COGNITION = ['commonsense_reasoning', 'numerical_calculation', 'text_translation', 'code_reasoning'] as const;
export type MmeSubtask = (typeof MME_PERCEPTION)[number] | (typeof MME_COGNITION)[number];
export type MmeAnswer = 'yes' | 'no' | 'other';

/** MME `eval_tool/calculation.py`: lower-cased "yes"/"no", else "yes" or "no" within the first 4 characters, else "other". */
export function parseMmeAnswer(answer: string): MmeAnswer {
  const a = answer.toLowerCase();
  if (a === 'yes' || a === 'no') return a;
  const prefix = Array.from(a).slice(0, 4).join('');
  return prefix.includes('yes') ? 'yes' : prefix.includes('no') ? 'no' : 'other';
}

export interface MmeItem {
  subtask: MmeSubtask;
  image: string;
  truth: 'yes' | 'no';
  predicted: MmeAnswer;
}

export interface MmeSubtaskScore {
  /** Percent of questions right. */
  acc: number;
  /** Percent of images with every question right (both of its two). */
  accPlus: number;
  /** acc + acc+, at most 200. */
  score: number;
}

export interface MmeScores {
  subtasks: Partial<Record<MmeSubtask, MmeSubtaskScore>>;
  /** Sums of the subtask scores present (at most 2000 and 800). */
  perception: number;
  cognition: number;
  total: number;
}

export function mmeScores(items: readonly MmeItem[]): MmeScores {
  const subtasks: MmeScores['subtasks'] = {};
  for (const subtask of [...MME_PERCEPTION, ...MME_COGNITION]) {
    const own = items.filter((i) => i.subtask === subtask);
    if (own.length === 0) continue;
    const images = new Map<string, boolean>();
    for (const i of own) images.set(i.image, (images.get(i.image) ?? true) && i.predicted === i.truth);
    const acc = percent(own.map((i) => (i.predicted === i.truth ? 1 : 0)));
    const accPlus = percent([...images.values()].map((right) => (right ? 1 : 0)));
    subtasks[subtask] = { acc, accPlus, score: acc + accPlus };
  }
  const sum = (names: readonly MmeSubtask[]) => names.reduce((s, n) => s + (subtasks[n]?.score ?? 0), 0);
  const perception = sum(MME_PERCEPTION);
  const cognition = sum(MME_COGNITION);
  return { subtasks, perception, cognition, total: perception + cognition };
}
