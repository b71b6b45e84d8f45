import { pyFloat } from './py.ts';

/** LLaVA `eval_gpt_review_bench.py`: the reviewer's system message, temperature and token budget. */
export const REVIEW_SYSTEM = 'You are a helpful and precise assistant for checking the quality of the answer.';
export const REVIEW_TEMPERATURE = 0.2;
export const REVIEW_MAX_TOKENS = 1024;
export const LLAVA_BENCH_CATEGORIES = ['conv', 'detail', 'complex'] as const;

/** The rule of `llava/eval/table/rule.json` for llava_bench_conv / _detail / _complex (the same text for all three; role "Assistant"). */
export const REVIEW_RULE =
  'We would like to request your feedback on the performance of two AI assistants in response to the user question displayed above. The user asks the question on observing an image. For your reference, the visual content in the image is represented with a few sentences describing the image. \nPlease rate the helpfulness, relevance, accuracy, level of details of their responses. Each assistant receives an overall score on a scale of 1 to 10, where a higher score indicates better overall performance.\nPlease first output a single line containing only two values indicating the scores for Assistant 1 and 2, respectively. The two scores are separated by a space.\nIn the subsequent line, please provide a comprehensive explanation of your evaluation, avoiding any potential bias and ensuring that the order in which the responses were presented does not affect your judgment.';

/** The review request: context (the image description), question, the reference answer as Assistant 1, the model's as Assistant 2. */
export function reviewContent(context: string, question: string, reference: string, answer: string): string {
  return (
    `[Context]\n${context}\n\n[Question]\n${question}\n\n` +
    `[Assistant 1]\n${reference}\n\n[End of Assistant 1]\n\n` +
    `[Assistant 2]\n${answer}\n\n[End of Assistant 2]\n\n` +
    `[System]\n${REVIEW_RULE}\n\n`
  );
}

/** `parse_score`: the first line, commas as spaces, must split on ' ' into exactly two numbers; else [-1, -1] (which the official summary still averages in). */
export function parseReviewScores(review: string): [number, number] {
  const parts = review.split('\n')[0].replaceAll(',', ' ').split(' ');
  const scores = parts.length === 2 ? parts.map(pyFloat) : [];
  return scores.length === 2 && scores[0] !== undefined && scores[1] !== undefined ? [scores[0], scores[1]] : [-1, -1];
}

/**
 * `summarize_gpt_review.py`: per category and over all, the mean reference score, the mean model score and
 * the relative score 100 · model / reference (`relative` is LLaVA-Bench's reported number).
 */
export function relativeScores(items: readonly { category: string; scores: readonly [number, number] }[]): Record<string, number> {
  const metrics: Record<string, number> = {};
  const groups: [string, typeof items][] = [['', items]];
  for (const c of [...new Set(items.map((i) => i.category))].sort()) groups.push([`.${c}`, items.filter((i) => i.category === c)]);
  for (const [suffix, group] of groups) {
    const mean = (k: 0 | 1) => group.reduce((s, i) => s + i.scores[k], 0) / group.length;
    metrics[`reference_score${suffix}`] = mean(0);
    metrics[`model_score${suffix}`] = mean(1);
    metrics[`relative${suffix}`] = (100 * mean(1)) / mean(0);
  }
  return metrics;
}
