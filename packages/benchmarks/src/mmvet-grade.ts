import { percent } from './aggregate.ts';
import type { Judge } from './judge.ts';
import { pyFloat, strip } from './py.ts';

/** The few-shot grader prompt of MM-Vet (`mm-vet_evaluator.py`, yuweihao/MM-Vet), verbatim. */
export const MMVET_PROMPT = `Compare the ground truth and prediction from AI models, to give a correctness score for the prediction. <AND> in the ground truth means it is totally right only when all elements in the ground truth are present in the prediction, and <OR> means it is totally right when any one element in the ground truth is present in the prediction. The correctness score is 0.0 (totally wrong), 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, or 1.0 (totally right). Just complete the last space of the correctness score.

Question | Ground truth | Prediction | Correctness
--- | --- | --- | ---
What is x in the equation? | -1 <AND> -5 | x = 3 | 0.0
What is x in the equation? | -1 <AND> -5 | x = -1 | 0.5
What is x in the equation? | -1 <AND> -5 | x = -5 | 0.5
What is x in the equation? | -1 <AND> -5 | x = -5 or 5 | 0.5
What is x in the equation? | -1 <AND> -5 | x = -1 or x = -5 | 1.0
Can you explain this meme? | This meme is poking fun at the fact that the names of the countries Iceland and Greenland are misleading. Despite its name, Iceland is known for its beautiful green landscapes, while Greenland is mostly covered in ice and snow. The meme is saying that the person has trust issues because the names of these countries do not accurately represent their landscapes. | The meme talks about Iceland and Greenland. It's pointing out that despite their names, Iceland is not very icy and Greenland isn't very green. | 0.4
Can you explain this meme? | This meme is poking fun at the fact that the names of the countries Iceland and Greenland are misleading. Despite its name, Iceland is known for its beautiful green landscapes, while Greenland is mostly covered in ice and snow. The meme is saying that the person has trust issues because the names of these countries do not accurately represent their landscapes. | The meme is using humor to point out the misleading nature of Iceland's and Greenland's names. Iceland, despite its name, has lush green landscapes while Greenland is mostly covered in ice and snow. The text 'This is why I have trust issues' is a playful way to suggest that these contradictions can lead to distrust or confusion. The humor in this meme is derived from the unexpected contrast between the names of the countries and their actual physical characteristics. | 1.0
`;
const RETRY_SUFFIX = '\nPredict the correctness of the answer (digit): ';

/** The grader's query: the prompt, then the table row to complete. */
export function mmvetQuery(question: string, truth: string, prediction: string): string {
  const gt = truth.replaceAll('<AND>', ' <AND> ').replaceAll('<OR>', ' <OR> ');
  return `${MMVET_PROMPT}\n${[question, gt, prediction, ''].join(' | ')}`;
}

/** The grade in a reply: its first space-separated word as a number in [0, 1]; undefined otherwise. */
export function parseMmvetScore(content: string): number | undefined {
  const score = pyFloat(strip(content.split(' ')[0]));
  return score !== undefined && score >= 0 && score <= 1 ? score : undefined;
}

/**
 * MM-Vet's grading protocol: max 3 tokens at temperature 0; while the reply is no grade, ask again with
 * "Predict the correctness of the answer (digit): " appended, at temperatures 0, 0.5, 1.0, 1.5; then 0.0.
 * (The official script makes one more call at 2.0 whose reply it never reads; it is skipped here.)
 */
export async function gradeMmvet(judge: Judge, query: string): Promise<{ score: number; content: string; valid: boolean }> {
  const ask = (content: string, temperature: number) => judge.complete({ messages: [{ role: 'user', content }], temperature, maxTokens: 3 });
  let content = await ask(query, 0);
  let score = parseMmvetScore(content);
  for (let retry = 0; score === undefined && retry < 4; retry++) {
    content = await ask(query + RETRY_SUFFIX, 0.5 * retry);
    score = parseMmvetScore(content);
  }
  return { score: score ?? 0, content, valid: score !== undefined };
}

/**
 * `export_result`: total and per capability, the mean grade × 100 over the samples having it; per capability
 * combination (`cap_int.<caps joined by _, sorted>`) likewise.
 */
export function mmvetScores(items: readonly { capabilities: readonly string[]; score: number }[]): Record<string, number> {
  const metrics: Record<string, number> = { total: percent(items.map((i) => i.score)) };
  const capabilities = [...new Set(items.flatMap((i) => i.capabilities))].sort();
  for (const c of capabilities) metrics[c] = percent(items.filter((i) => i.capabilities.includes(c)).map((i) => i.score));
  const combination = (caps: readonly string[]) => [...new Set(caps)].sort().join('_');
  for (const combo of [...new Set(items.map((i) => combination(i.capabilities)))].sort()) {
    metrics[`cap_int.${combo}`] = percent(items.filter((i) => combination(i.capabilities) === combo).map((i) => i.score));
  }
  return metrics;
}
