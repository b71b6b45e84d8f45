import { fullScoreMacs, vtuScoreMacs } from '@dymu/vtu';
import { vlmPreprocessing } from './preprocessing.ts';
import { mean } from './stats.ts';
import type { Column, Row, Task } from './task.ts';
import { tokenMetrics } from './tokens.ts';

const COLUMNS: readonly Column[] = [
  { name: 'id', type: 'utf8' },
  { name: 'group', type: 'utf8' },
  { name: 'tokens', type: 'int32' },
  { name: 'tokens_cls', type: 'int32' },
  { name: 'unique', type: 'int32' },
  { name: 'virtual', type: 'int32' },
  { name: 'prefill_vtu_ms', type: 'float64' },
  { name: 'prefill_plain_ms', type: 'float64' },
];

/** What the LLM is asked; only its prefill is timed. */
const QUESTION = 'Describe the image.';

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
};

/**
 * Table 1 of the paper: the cost of the LLM's attention scores with and without merging. Per image
 * (encoded with the run's policy) the prefill of a one-image prompt is timed twice: with VTU (the
 * merged tokens stand for all patches) and with the merged tokens as ordinary tokens. Summary: the
 * paper's formulas with the LLM's heads H and head dim d (DYMU.md §8), `full_score_macs_m` =
 * H·P²·d for the P patches and `vtu_score_macs_m` = 2·H·N_un²·d at the mean visual-token count
 * N_un (class token included, as the paper counts), in millions; the medians of the two prefill
 * times; and the token metrics. Without merging both prefills are the full model's.
 */
export const attentionCostTask: Task = {
  name: 'attention-cost',
  inputs: ['dataset', 'benchmark'],
  async open({ run, resources }) {
    const vlm = await resources.vlm(run.config.model);
    const policy = await resources.policy(run, vlm.encoder);
    const images = await resources.images(run);
    const { numHeads: H, headDim: d } = vlm.decoder.config;
    const prompt = vlm.template.prompt(QUESTION, 1);
    const prefill = async (input: Awaited<ReturnType<typeof vlm.prepare>>) => {
      const t0 = performance.now();
      await vlm.decoder.forward([input]);
      return performance.now() - t0;
    };
    return {
      total: images.length,
      columns: COLUMNS,
      preprocessing: vlmPreprocessing(vlm),
      async rows(from, to) {
        const rows: Row[] = [];
        for (const { id, image, group } of images.slice(from, to)) {
          const [encoded] = await vlm.encoder.encode([image], { policy: policy([id]), pad: vlm.pad });
          const withVtu = await vlm.prepare(prompt, [[encoded]], true);
          const plain = await vlm.prepare(prompt, [[encoded]], false);
          rows.push({
            id, group, tokens: encoded.count, tokens_cls: encoded.countWithClassToken, unique: withVtu.map.unique, virtual: withVtu.map.virtual,
            prefill_vtu_ms: await prefill(withVtu), prefill_plain_ms: await prefill(plain),
          });
        }
        return rows;
      },
      async summarize(rows) {
        const tokens = tokenMetrics(rows);
        return {
          metrics: {
            ...tokens,
            patches: vlm.encoder.patches,
            full_score_macs_m: fullScoreMacs(vlm.encoder.patches, H, d) / 1e6,
            vtu_score_macs_m: vtuScoreMacs(tokens.tokens_cls, H, d) / 1e6,
            vtu_score_macs_per_image_m: mean(rows.map((r) => vtuScoreMacs(r.tokens_cls as number, H, d) / 1e6)),
            prefill_vtu_ms: median(rows.map((r) => r.prefill_vtu_ms as number)),
            prefill_plain_ms: median(rows.map((r) => r.prefill_plain_ms as number)),
          },
        };
      },
    };
  },
};
