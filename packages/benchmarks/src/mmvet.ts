import { join } from 'node:path';
import { type Item, FileBenchmark } from './file-benchmark.ts';
import { Fields, readJson, writeJson } from './files.ts';
import { judgeEach, noJudgeMessage, resolveJudge } from './judge.ts';
import { gradeMmvet, mmvetQuery, mmvetScores } from './mmvet-grade.ts';
import type { BenchmarkInput, BenchmarkOptions, BenchmarkScores, Prediction, SampleScore } from './types.ts';

interface MmVetItem extends Item {
  question: string;
  truth: string;
  capabilities: string[];
}

/**
 * MM-Vet (`mm-vet/mm-vet.json` + `mm-vet/images/`): the question as the prompt (as LLaVA's `mmvet.sh`), graded
 * 0–1 by a judge with MM-Vet's few-shot prompt; total and per capability (rec, ocr, know, gen, spat, math).
 */
export class MmVet extends FileBenchmark<MmVetItem, string> {
  readonly name = 'mmvet';
  readonly split = 'test';
  protected readonly source: string;

  private readonly imageDir: string;

  constructor(private readonly options: BenchmarkOptions) {
    super();
    this.source = join(options.root, 'mm-vet.json');
    this.imageDir = options.imageDir ?? join(options.root, 'images');
  }

  inputs(): BenchmarkInput[] {
    return [{ path: this.source, kind: 'file' }, { path: this.imageDir, kind: 'folder' }];
  }

  protected load(): MmVetItem[] {
    const all = new Fields(this.source, '', readJson(this.source));
    const imageDir = this.imageDir;
    return Object.keys(all.value).map((id) => {
      const r = all.object(id);
      const capabilities = r.strings('capability');
      const question = r.string('question');
      return {
        id, question, capabilities,
        truth: r.string('answer'),
        image: join(imageDir, r.string('imagename')),
        prompt: question,
        meta: { capability: [...capabilities].sort().join(',') },
      };
    });
  }

  parse(prediction: Prediction): string {
    return prediction.answer;
  }

  async score(predictions: readonly Prediction[]): Promise<BenchmarkScores> {
    const judge = resolveJudge(this.options.judge);
    if (judge === undefined) return this.skipped(noJudgeMessage('MM-Vet'));
    const answered = this.answered(predictions);
    const grades = await judgeEach(judge, 'mmvet: grading', answered, ({ item, prediction }) => gradeMmvet(judge, mmvetQuery(item.question, item.truth, prediction.answer)));
    const rows = answered.map(({ item, prediction }, k): SampleScore => ({
      id: item.id, score: grades[k].score, parsed: prediction.answer, judge_reply: grades[k].content, judge_valid: grades[k].valid, ...item.meta,
    }));
    const graded = answered.map(({ item }, k) => ({ capabilities: item.capabilities, score: grades[k].score }));
    return this.result({ ...mmvetScores(graded), judge_failures: rows.filter((r) => !r.judge_valid).length }, rows);
  }

  /** What the MM-Vet online evaluator (and `mm-vet_evaluator.py`) takes: `{"v1_0": "answer", …}`. */
  writeSubmission(predictions: readonly Prediction[], outPath: string): void {
    writeJson(outPath, Object.fromEntries(this.answered(predictions).map(({ prediction }) => [prediction.id, prediction.answer])));
  }
}
