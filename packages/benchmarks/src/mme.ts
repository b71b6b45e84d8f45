import { existsSync, readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { DymuError } from '@dymu/core';
import { type Item, FileBenchmark } from './file-benchmark.ts';
import { readText, writeFile } from './files.ts';
import { MME_COGNITION, MME_PERCEPTION, type MmeAnswer, type MmeSubtask, mmeScores, parseMmeAnswer } from './mme-score.ts';
import { shortAnswer } from './prompts.ts';
import { strip } from './py.ts';
import type { BenchmarkInput, BenchmarkOptions, BenchmarkScores, Prediction, SampleScore } from './types.ts';

interface MmeItem extends Item {
  subtask: MmeSubtask;
  imageName: string;
  question: string;
  /** As written in the file ("Yes" / "No"). */
  truth: string;
}

const YES_NO_SUFFIX = 'Please answer yes or no.';

/**
 * MME (`MME_Benchmark_release_version/`): per subtask a folder whose `<image stem>.txt` files hold two
 * "question\tYes|No" lines; the images sit next to them, or in `images/` with the texts in
 * `questions_answers_YN/`. The prompt is LLaVA-1.5's: the question without "Please answer yes or no.",
 * then the short-answer instruction. Scored as `eval_tool/calculation.py`: per subtask acc + acc+.
 */
export class Mme extends FileBenchmark<MmeItem, MmeAnswer> {
  readonly name = 'mme';
  readonly split = 'all';
  protected readonly source: string;

  constructor(private readonly options: BenchmarkOptions) {
    super();
    this.source = options.root;
  }

  /** One folder per subtask (its images and question files). */
  inputs(): BenchmarkInput[] {
    return [...MME_PERCEPTION, ...MME_COGNITION].map((subtask) => ({ path: join(this.options.root, subtask), kind: 'folder' }));
  }

  protected load(): MmeItem[] {
    return [...MME_PERCEPTION, ...MME_COGNITION].flatMap((subtask) => this.loadSubtask(subtask));
  }

  private loadSubtask(subtask: MmeSubtask): MmeItem[] {
    const dir = join(this.options.root, subtask);
    if (!existsSync(dir)) throw new DymuError(`subtask folder ${subtask}/ not found`, { file: dir });
    const split = existsSync(join(dir, 'images'));
    const imageDir = split ? join(dir, 'images') : dir;
    const textDir = split ? join(dir, 'questions_answers_YN') : dir;
    const images = new Map(readdirSync(imageDir).filter((f) => extname(f) !== '.txt' && statSync(join(imageDir, f)).isFile()).map((f) => [stem(f), f]));
    return readdirSync(textDir).filter((f) => f.endsWith('.txt')).sort().flatMap((textFile) => {
      const file = join(textDir, textFile);
      const imageName = images.get(stem(textFile)) ?? `${stem(textFile)}.jpg`;
      const lines = readText(file).split('\n').filter((l) => strip(l) !== '');
      if (lines.length !== 2) throw new DymuError(`expected 2 question lines (calculation.py pairs them per image), got ${lines.length}`, { file });
      return lines.map((line, k) => {
        const fields = strip(line).split('\t');
        const truth = fields[1] ?? '';
        if (fields.length !== 2 || !['yes', 'no'].includes(truth.toLowerCase())) {
          throw new DymuError(`expected "question<TAB>Yes" or "question<TAB>No", got ${JSON.stringify(line)}`, { file, field: `line ${k + 1}` });
        }
        return {
          id: `${subtask}/${imageName}#${k}`, subtask, imageName, question: fields[0], truth,
          image: join(imageDir, imageName),
          prompt: shortAnswer(strip(fields[0].replaceAll(YES_NO_SUFFIX, ''))),
          meta: { subtask },
        };
      });
    });
  }

  parse(prediction: Prediction): MmeAnswer {
    return parseMmeAnswer(prediction.answer);
  }

  async score(predictions: readonly Prediction[]): Promise<BenchmarkScores> {
    const scored = this.answered(predictions).map(({ item, prediction }) => ({ item, predicted: this.parse(prediction) }));
    const rows: SampleScore[] = scored.map(({ item, predicted }) => ({
      id: item.id, score: predicted === item.truth.toLowerCase() ? 1 : 0, parsed: predicted, subtask: item.subtask,
    }));
    const scores = mmeScores(scored.map(({ item, predicted }) => ({
      subtask: item.subtask, image: item.imageName, truth: item.truth.toLowerCase() as 'yes' | 'no', predicted,
    })));
    const metrics: Record<string, number> = { perception: scores.perception, cognition: scores.cognition, total: scores.total };
    for (const [subtask, s] of Object.entries(scores.subtasks)) Object.assign(metrics, { [`${subtask}.acc`]: s.acc, [`${subtask}.acc_plus`]: s.accPlus, [`${subtask}.score`]: s.score });
    return this.result(metrics, rows);
  }

  /**
   * The results `eval_tool/calculation.py` reads: `<outPath>/<subtask>.txt`, one "image\tquestion\tanswer\tprediction"
   * line per answered question in file order, so each image's two lines stay together (tabs and newlines in the prediction become spaces, which the format cannot hold).
   */
  writeSubmission(predictions: readonly Prediction[], outPath: string): void {
    const answers = new Map(this.answered(predictions).map(({ prediction }) => [prediction.id, prediction.answer]));
    for (const subtask of [...MME_PERCEPTION, ...MME_COGNITION]) {
      const lines = [...this.items().values()].filter((item) => item.subtask === subtask && answers.has(item.id))
        .map((item) => `${item.imageName}\t${item.question}\t${item.truth}\t${answers.get(item.id)!.replace(/[\t\r\n]/g, ' ')}\n`);
      if (lines.length > 0) writeFile(join(outPath, `${subtask}.txt`), lines.join(''));
    }
  }
}

const stem = (file: string) => file.slice(0, file.length - extname(file).length);
