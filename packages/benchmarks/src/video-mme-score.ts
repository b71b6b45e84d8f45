import { percent, percentBy } from './aggregate.ts';
import { strip, words } from './py.ts';

/** lmms-eval's Video-MME instruction for frames without subtitles (tasks/videomme/utils.py). */
export const VIDEO_MME_INSTRUCTION =
  'Select the best answer to the following multiple-choice question based on the video. Respond with only the letter (A, B, C, or D) of the correct option.';
/** lmms-eval's default post prompt. */
export const VIDEO_MME_POST_PROMPT = 'The best answer is:';

/** The instruction, the question, its options as given ("A. …" lines), "The best answer is:". */
export function videoMmePrompt(question: string, options: readonly string[]): string {
  return [VIDEO_MME_INSTRUCTION, question, ...options, VIDEO_MME_POST_PROMPT].join('\n');
}

/**
 * lmms-eval's prefixes, as the Python list holds them: two pairs lack a comma between them, so Python
 * joins each pair into one string (which then never occurs); kept as is.
 */
const ANSWER_PREFIXES = ['The best answer is', 'The correct answer is', 'The answer is', 'The answer', 'The best option isThe correct option is', 'Best answer:Best option:'];

/**
 * lmms-eval `extract_characters_regex`: the answer stripped, the prefixes removed, then the first of
 * A–D anywhere in it ('' when there is none, or when more than ten words contain none).
 */
export function extractVideoMmeLetter(answer: string): string {
  let s = strip(answer);
  for (const prefix of ANSWER_PREFIXES) s = s.replaceAll(prefix, '');
  const letter = /[ABCD]/.exec(s);
  if (words(s).length > 10 && letter === null) return '';
  return letter === null ? '' : letter[0];
}

export interface VideoMmeGraded {
  duration: string;
  domain: string;
  subCategory: string;
  taskType: string;
  hit: boolean;
}

/**
 * `videomme_aggregate_results`: accuracy (%) overall (`accuracy`, the paper's number), per duration
 * (`accuracy.<short|medium|long>`), per domain, sub-category and task type (`accuracy.domain.<d>`, …).
 */
export function videoMmeScores(items: readonly VideoMmeGraded[]): Record<string, number> {
  const hit = (i: VideoMmeGraded) => (i.hit ? 1 : 0);
  return {
    accuracy: percent(items.map(hit)),
    ...percentBy(items, 'accuracy.', (i) => i.duration, hit),
    ...percentBy(items, 'accuracy.domain.', (i) => i.domain, hit),
    ...percentBy(items, 'accuracy.sub_category.', (i) => i.subCategory, hit),
    ...percentBy(items, 'accuracy.task.', (i) => i.taskType, hit),
  };
}
