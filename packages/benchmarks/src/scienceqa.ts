import { join } from 'node:path';
import { percent } from './aggregate.ts';
import { type Item, FileBenchmark } from './file-benchmark.ts';
import { Fields, readJson, writeJsonl } from './files.ts';
import { multipleChoice } from './prompts.ts';
import { choiceIndex, parseScienceQaAnswer } from './sqa-answer.ts';
import type { BenchmarkInput, BenchmarkOptions, BenchmarkScores, Prediction, SampleScore } from './types.ts';

interface ScienceQaItem extends Item {
  choices: number;
  answer: number;
}

/**
 * ScienceQA-IMG: the problems of a split (`pid_splits.json`, default `test`) that have an image
 * (`problems.json`), images at `images/<split>/<pid>/<image>`. The prompt is that of LLaVA-1.5's
 * `llava_test_CQM-A.json` with `--single-pred-prompt`: "Context: <hint>" (when there is a hint), the
 * question, "A. …" lines, the letter instruction. Scored as `eval_science_qa.py` (its IMG-Accuracy).
 */
export class ScienceQaImg extends FileBenchmark<ScienceQaItem, string> {
  readonly name = 'scienceqa_img';
  readonly split: string;
  protected readonly source: string;

  private readonly splitsFile: string;
  private readonly imageDir: string;

  constructor(options: BenchmarkOptions) {
    super();
    this.split = options.split ?? 'test';
    this.source = join(options.root, 'problems.json');
    this.splitsFile = join(options.root, 'pid_splits.json');
    this.imageDir = options.imageDir ?? join(options.root, 'images', this.split);
  }

  inputs(): BenchmarkInput[] {
    return [{ path: this.source, kind: 'file' }, { path: this.splitsFile, kind: 'file' }, { path: this.imageDir, kind: 'folder' }];
  }

  protected load(): ScienceQaItem[] {
    const splitsFile = this.splitsFile;
    const pids = new Fields(splitsFile, '', readJson(splitsFile)).strings(this.split);
    const problems = new Fields(this.source, '', readJson(this.source));
    const imageDir = this.imageDir;
    return pids.flatMap((pid) => {
      const p = problems.object(pid);
      const image = p.optionalString('image');
      if (image === undefined) return [];
      const choices = p.strings('choices');
      const answer = p.integer('answer');
      if (answer < 0 || answer >= choices.length) p.fail('answer', `a choice index below ${choices.length}`, answer);
      const hint = p.optionalString('hint') ?? '';
      const question = hint === '' ? p.string('question') : `Context: ${hint}\n${p.string('question')}`;
      return [{
        id: pid, choices: choices.length, answer,
        image: join(imageDir, pid, image),
        prompt: multipleChoice(question, choices),
        meta: { subject: p.optionalString('subject') ?? null, grade: p.optionalString('grade') ?? null },
      }];
    });
  }

  parse(prediction: Prediction): string {
    return parseScienceQaAnswer(prediction.answer);
  }

  async score(predictions: readonly Prediction[]): Promise<BenchmarkScores> {
    const rows: SampleScore[] = this.answered(predictions).map(({ item, prediction }) => {
      const parsed = this.parse(prediction);
      return { id: item.id, score: choiceIndex(parsed, item.choices) === item.answer ? 1 : 0, parsed, ...item.meta };
    });
    return this.result({ accuracy: percent(rows.map((r) => r.score)) }, rows);
  }

  /** The answers file `eval_science_qa.py` reads: `{"question_id", "prompt", "text"}` per line, the prompt with its `<image>` line. */
  writeSubmission(predictions: readonly Prediction[], outPath: string): void {
    writeJsonl(outPath, this.answered(predictions).map(({ item, prediction }) => ({ question_id: item.id, prompt: `<image>\n${item.prompt}`, text: prediction.answer })));
  }
}
