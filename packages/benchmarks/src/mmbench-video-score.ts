import { mean } from './aggregate.ts';

/** VLMEvalKit's judge system prompt for MMBench-Video (vlmeval/dataset/utils/mmbench_video.py), verbatim. */
export const MMBENCH_VIDEO_SYSTEM = `
As an AI assistant, your task is to evaluate a candidate answer in comparison to a given correct answer.
The question itself, the correct 'groundtruth' answer, and the candidate answer will be provided to you.
Your assessment should range from 0 to 3, based solely on the semantic similarity between the groundtruth and the candidate answer, disregarding any grammatical differences.
A rating of 0 suggests no similarity, implying the candidate answer is entirely incorrect.
A rating of 1 suggests low similarity, meaning the candidate answer is largely incorrect.
A rating of 2 suggests high similarity, meaning the candidate answer is largely correct.
Lastly, a rating of 3 indicates complete similarity, which means the candidate answer is entirely correct.
Your response should be a single integer from 0, 1, 2, or 3.
`;

/** VLMEvalKit `build_prompt`: the judge's user turn. */
export const mmbenchVideoJudgePrompt = (question: string, answer: string, prediction: string): string =>
  `Question: ${question}\nGroundtruth answer: ${answer}\nCandidate answer: ${prediction}\nYour response: `;

/** VLMEvalKit's fine dimensions per coarse one (`MMV_DIMENSIONS`). */
export const MMBENCH_VIDEO_DIMENSIONS: Readonly<Record<string, readonly string[]>> = {
  CP: ['Video Topic', 'Video Emotion', 'Video Scene', 'Video Style'],
  'FP-S': ['OCR', 'Object Recognition', 'Attribute Recognition', 'Event Recognition', 'Human Motion', 'Counting'],
  'FP-C': ['Spatial Relationship', 'Human-object Interaction', 'Human Interaction'],
  HL: ['Hallucination'],
  LR: ['Structuralized Image-Text Understanding', 'Mathematical Calculation'],
  AR: ['Physical Property', 'Function Reasoning', 'Identity Reasoning'],
  RR: ['Natural Relation', 'Physical Relation', 'Social Relation'],
  CSR: ['Common Sense Reasoning'],
  TR: ['Counterfactual Reasoning', 'Causal Reasoning', 'Future Prediction'],
};
const PERCEPTION = ['CP', 'FP-C', 'FP-S', 'HL'];
const REASONING = ['LR', 'AR', 'RR', 'CSR', 'TR'];
const COARSE: Readonly<Record<string, readonly string[]>> = {
  ...MMBENCH_VIDEO_DIMENSIONS,
  Perception: PERCEPTION.flatMap((d) => MMBENCH_VIDEO_DIMENSIONS[d]),
  Reasoning: REASONING.flatMap((d) => MMBENCH_VIDEO_DIMENSIONS[d]),
  Overall: [...PERCEPTION, ...REASONING].flatMap((d) => MMBENCH_VIDEO_DIMENSIONS[d]),
};
/** Every fine dimension. */
export const MMBENCH_VIDEO_FINE: readonly string[] = Object.values(MMBENCH_VIDEO_DIMENSIONS).flat();

const FAIL_MSG = 'Failed to obtain answer via API.';
/** A Python int literal (what `eval` reads as an int and `int()` then accepts), spaces and tabs around. */
const INT_LITERAL = /^[ \t]*[+-]?(?:0+|[1-9](?:_?\d)*)[ \t\r\n]*$/;

/**
 * The judge's score as VLMEvalKit reads it (`int(x) if istype(x, int) else -1`): the reply as a Python int
 * literal, any value (a 4 stays 4); −1 for anything else ("2.", "Score: 2", an API failure). Replies Python
 * would read as an int that `int()` then rejects ("0x2", "True", "(2)": VLMEvalKit stops there) are −1 too.
 */
export function parseMmbenchVideoScore(reply: string): number {
  if (reply.includes(FAIL_MSG) || !INT_LITERAL.test(reply)) return -1;
  return Number(reply.trim().replaceAll('_', ''));
}

/**
 * `get_dimension_rating`: the mean score (0–3) overall (`score`), per coarse dimension (`score.<CP|FP-S|…|
 * Perception|Reasoning>`) and per fine one (`score.fine.<dim>`), unscored answers (−1) counted as 0; the same
 * over the scored answers only as `score_valid…`. A question counts in every dimension it lists; dimensions
 * without questions are left out.
 */
export function mmbenchVideoScores(items: readonly { dimensions: readonly string[]; score: number }[]): Record<string, number> {
  const metrics: Record<string, number> = {};
  const rate = (name: string, scores: number[]) => {
    if (scores.length === 0) return;
    metrics[name] = mean(scores.map((s) => Math.max(s, 0)));
    const valid = scores.filter((s) => s >= 0);
    if (valid.length > 0) metrics[name.replace(/^score/, 'score_valid')] = mean(valid);
  };
  for (const [dim, fine] of Object.entries(COARSE)) {
    rate(dim === 'Overall' ? 'score' : `score.${dim}`, items.filter((i) => i.dimensions.some((d) => fine.includes(d))).map((i) => i.score));
  }
  for (const dim of MMBENCH_VIDEO_FINE) rate(`score.fine.${dim}`, items.flatMap((i) => i.dimensions.filter((d) => d === dim).map(() => i.score)));
  return metrics;
}
