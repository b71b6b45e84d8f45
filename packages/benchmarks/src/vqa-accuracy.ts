import { evalAiAnswer, normalizeVqaAnswer, processPunctuation } from './vqa-normalize.ts';

/**
 * VQA accuracy of one answer: for each annotator, min(1, #other annotators giving that answer / 3), averaged
 * over the annotators (every 9-of-10 subset). With k of 10 matching that is
 * (k·min(1, (k−1)/3) + (10−k)·min(1, k/3)) / 10: 0.3 for k = 1, 0.6 for k = 2, 0.9 for k = 3, 1 from k = 4.
 */
export function annotatorAverage(answer: string, annotators: readonly string[]): number {
  const total = annotators.length;
  const matches = annotators.filter((a) => a === answer).length;
  let sum = 0;
  for (const a of annotators) sum += Math.min(1, (matches - (a === answer ? 1 : 0)) / 3);
  return total === 0 ? 0 : sum / total;
}

/**
 * `vqaEval.py` (the VQAv2 server's rule): the answer is normalised; the annotators' answers only get the
 * punctuation step, and only when they disagree.
 */
export function vqaEvalAccuracy(answer: string, annotators: readonly string[]): number {
  const gts = new Set(annotators).size > 1 ? annotators.map(processPunctuation) : annotators;
  return annotatorAverage(normalizeVqaAnswer(answer), gts);
}

/** `m4c_evaluator.TextVQAAccuracyEvaluator` (LLaVA's TextVQA score): answer and annotators all through EvalAIAnswerProcessor. */
export function textVqaAccuracy(answer: string, annotators: readonly string[]): number {
  return annotatorAverage(evalAiAnswer(answer), annotators.map(evalAiAnswer));
}
