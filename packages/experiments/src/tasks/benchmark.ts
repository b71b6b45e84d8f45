import type { BenchmarkSample, Cell as BenchmarkCell, SampleScore } from '@dymu/benchmarks';
import type { Column, ColumnType, Row, Task } from './task.ts';
import { sampleVisual } from '../resources/sample-image.ts';
import { paperScore } from './paper-score.ts';
import { vlmPreprocessing } from './preprocessing.ts';
import { tokenShareMetrics } from './token-share.ts';
import { tokenMetrics } from './tokens.ts';

/** LLaVA's evaluation scripts generate at most 128 new tokens, greedily. */
const MAX_NEW_TOKENS = 128;

const BENCHMARK_COLUMNS: readonly Column[] = [
  { name: 'id', type: 'utf8' },
  { name: 'group', type: 'utf8' },
  { name: 'prediction', type: 'utf8' },
  { name: 'parsed', type: 'utf8' },
  { name: 'meta', type: 'utf8' },
  { name: 'tokens', type: 'int32' },
  { name: 'tokens_cls', type: 'int32' },
  { name: 'tokens_full', type: 'int32' },
  { name: 'unique', type: 'int32' },
  { name: 'virtual', type: 'int32' },
  { name: 'encode_ms', type: 'float64' },
  { name: 'prefill_ms', type: 'float64' },
  { name: 'decode_ms', type: 'float64' },
  { name: 'wall_ms', type: 'float64' },
];

/**
 * A VLM answers a benchmark's questions with the run's merge policy (and VTU on or off): one row per
 * sample with the raw prediction, the answer as the benchmark's rules parse it, the sample's facts
 * (`meta`, JSON), visual tokens (without / with class token), the unique and virtual sequence
 * lengths, and timings (a batch's, shared equally by its questions). Questions are answered
 * `execution.batch` at a time (left-padded prompts, each with its own merge map; the answers are
 * those of one at a time, see @dymu/llm's Vlm.answer). At the end the benchmark scores every prediction by its official rules:
 * its metrics go to the summary, with `score` (its share of the paper's Avg, paper-score.ts), the
 * token statistics of the tokens task, `tokens_cls_full` (the count without merging) and the share of
 * the full model's tokens per image (`tokens_full`; token-share.ts, as the paper counts OneVision); its
 * per-sample score rows go to scores.arrow.
 */
export const benchmarkTask: Task = {
  name: 'benchmark',
  inputs: ['benchmark'],
  async open({ run, execution, resources }) {
    const vlm = await resources.vlm(run.config.model);
    const policy = await resources.policy(run, vlm.encoder);
    const benchmark = await resources.benchmark(run);
    const samples: BenchmarkSample[] = [];
    for await (const sample of benchmark.samples({ limit: run.config.limit ?? undefined })) samples.push(sample);
    return {
      total: samples.length,
      columns: BENCHMARK_COLUMNS,
      preprocessing: vlmPreprocessing(vlm),
      async rows(from, to) {
        const rows: Row[] = [];
        for (let start = from; start < to; start += execution.batch) {
          const batch = samples.slice(start, Math.min(to, start + execution.batch));
          const t0 = performance.now();
          const questions = batch.map((s) => ({ images: [sampleVisual(s)], question: s.prompt }));
          const options = { policy: policy(batch.map((s) => s.id)), vtu: run.config.vtu, maxNewTokens: MAX_NEW_TOKENS, videoFrames: run.config.model.videoFrames };
          const answers = await vlm.answer(questions, options);
          const ms = (performance.now() - t0) / batch.length;
          answers.forEach((answer, j) => rows.push({
            id: batch[j].id,
            group: '',
            prediction: answer.text,
            parsed: text(benchmark.parse({ id: batch[j].id, answer: answer.text })),
            meta: JSON.stringify(batch[j].meta),
            tokens: answer.visualTokens,
            tokens_cls: answer.visualTokensWithClass,
            tokens_full: answer.fullTokens,
            unique: answer.unique,
            virtual: answer.virtual,
            encode_ms: answer.timings.encodeMs,
            prefill_ms: answer.timings.prefillMs,
            decode_ms: answer.timings.decodeMs,
            wall_ms: ms,
          }));
        }
        return rows;
      },
      async summarize(rows) {
        const scored = await benchmark.score(rows.map((r) => ({ id: r.id as string, answer: r.prediction as string })));
        const full = vlm.encoder.patches + (vlm.encoder.config.classToken ? 1 : 0);
        return { metrics: { ...scored.metrics, ...paperScore(benchmark.name, scored.metrics), ...tokenMetrics(rows), ...tokenShareMetrics(rows), tokens_cls_full: full }, scores: scoreTable(scored.rows) };
      },
    };
  },
};

/** A parsed answer as text (non-strings as JSON). */
function text(value: BenchmarkCell): string | null {
  return value === null || typeof value === 'string' ? value : JSON.stringify(value);
}

/** Score rows with their column types taken from the values (a column of nulls only is text). */
function scoreTable(rows: readonly SampleScore[]): { columns: Column[]; rows: Row[] } {
  const names = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const columns = names.map((name) => {
    const kinds = new Set(rows.map((r) => r[name]).filter((v) => v !== null && v !== undefined).map((v) => typeof v));
    const type: ColumnType = kinds.size === 1 && kinds.has('number') ? 'float64' : kinds.size === 1 && kinds.has('boolean') ? 'bool' : 'utf8';
    return { name, type };
  });
  return {
    columns,
    rows: rows.map((r) => Object.fromEntries(columns.map(({ name, type }) => [name, type === 'utf8' && r[name] !== null && r[name] !== undefined && typeof r[name] !== 'string' ? JSON.stringify(r[name]) : (r[name] ?? null)]))),
  };
}
