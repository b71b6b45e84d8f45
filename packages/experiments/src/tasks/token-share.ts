import type { Row } from './task.ts';
import { mean, populationStd } from './stats.ts';

/**
 * The paper's OneVision token count (Table 4): per image, its visual tokens as a share of what the
 * model without merging gives the LLM for the same image (`tokens_full`, @dymu/llm's
 * Answer.fullTokens: AnyRes's packed base + crops, or views × patches for merged views); per
 * benchmark `tokens_share`, the mean share (with its population std), and `tokens_full`, the mean
 * full count.
 */
export function tokenShareMetrics(rows: readonly Row[]): Record<string, number> {
  const shares = rows.map((r) => (r.tokens as number) / (r.tokens_full as number));
  return { tokens_share: mean(shares), tokens_share_std: populationStd(shares), tokens_full: mean(rows.map((r) => r.tokens_full as number)) };
}
