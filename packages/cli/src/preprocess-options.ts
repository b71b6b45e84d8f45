import type { Argv } from 'yargs';
import { DEFAULT_PREPROCESS, describePreprocessing, padMode, type PadMode, type Preprocess } from '@dymu/encoders';
import type { PreprocessorConfig } from '@dymu/weights';

export interface PreprocessArgs {
  preprocess?: 'pad' | 'resize';
  /** The older flag: `--pad` is `--preprocess pad`, `--no-pad` is `--preprocess resize`. */
  pad?: boolean;
}

/** `--preprocess pad|resize`, the one option of every command that encodes images with a bare vision tower. */
export function withPreprocessOptions<T>(y: Argv<T>): Argv<T & PreprocessArgs> {
  return y
    .option('preprocess', {
      choices: ['pad', 'resize'] as const,
      describe: "before the processor's resize and crop: pad (LLaVA-1.5's pad-to-square with the mean colour; the default) or resize (the image as it is)",
    })
    .option('pad', { type: 'boolean', hidden: true, describe: 'the same as --preprocess pad (--no-pad: resize)' })
    .conflicts('pad', 'preprocess') as Argv<T & PreprocessArgs>;
}

/** The preprocessing the options ask for, DEFAULT_PREPROCESS when they do not. */
export function preprocessChoice(args: PreprocessArgs): Exclude<Preprocess, 'anyres'> {
  return args.preprocess ?? (args.pad === undefined ? (DEFAULT_PREPROCESS as 'pad') : args.pad ? 'pad' : 'resize');
}

/** The encoder's PadMode for the options; the preprocessing is named in one line (`preprocessing: pad to square …`) given to `log`. */
export function preprocessFromArgs(args: PreprocessArgs, spec: PreprocessorConfig, log: (line: string) => void = console.log): PadMode {
  const choice = preprocessChoice(args);
  log(describePreprocessing(choice, spec));
  return padMode(choice);
}
