import { words } from './py.ts';

const REFUSALS = [
  "Sorry, I can't help with images of people yet.",
  "I can't process this file.",
  "I'm sorry, but without the image provided",
  'Cannot determine the answer',
];

/**
 * VLMEvalKit `can_infer_option`: with `.()[],:;!*#{}` turned into spaces, exactly one option letter among
 * the words gives that letter; a refusal, or no letter but a "Z", gives "Z".
 */
export function canInferOption(answer: string, letters: readonly string[]): string | undefined {
  if (answer.includes('Failed to obtain answer via API')) return undefined;
  if (REFUSALS.some((r) => answer.includes(r))) return 'Z';
  let text = answer;
  for (const c of '.()[],:;!*#{}') text = text.replaceAll(c, ' ');
  const ws = words(text);
  const found = letters.filter((l) => ws.includes(l));
  if (found.length === 1) return found[0];
  return found.length === 0 && ws.includes('Z') ? 'Z' : undefined;
}

/** VLMEvalKit `can_infer_text`: the one option whose text (lower-cased) occurs in the answer. */
export function canInferText(answer: string, choices: Readonly<Record<string, string>>): string | undefined {
  const a = answer.toLowerCase();
  const found = Object.keys(choices).filter((l) => a.includes(choices[l].toLowerCase()));
  return found.length === 1 ? found[0] : undefined;
}

/** VLMEvalKit `can_infer`: the letter an answer picks among `choices` (letter → option text), "Z" for none, undefined if unclear. */
export function canInfer(answer: string, choices: Readonly<Record<string, string>>): string | undefined {
  return canInferOption(answer, Object.keys(choices)) ?? canInferText(answer, choices);
}

/** Circular copies of question `i` are numbered i + k·10⁶ (VLMEvalKit `g_index = index % 1e6`). */
export const circularGroup = (index: number): number => index % 1_000_000;

export interface CircularPass {
  index: number;
  answer: string;
  /** The inferred letter; undefined when the answer could not be matched. */
  predicted: string | undefined;
}

/**
 * VLMEvalKit's circular evaluation with exact matching: a question (a row with index < 10⁶) is right only if
 * every pass in its group (itself and its rotated copies) picked the right letter. An unmatched pass counts
 * as wrong, as VLMEvalKit does without a GPT answer extractor. Groups whose original row is absent are ignored.
 */
export function circularHits(passes: readonly CircularPass[]): Map<number, boolean> {
  const hits = new Map<number, boolean>();
  for (const p of passes) if (p.index === circularGroup(p.index)) hits.set(p.index, true);
  for (const p of passes) {
    const group = circularGroup(p.index);
    if (hits.has(group) && p.predicted !== p.answer) hits.set(group, false);
  }
  return hits;
}
