import { DEFAULT_PREPROCESS, describePreprocessing, padMode, type PadMode, type Preprocess } from '@dymu/encoders';
import type { PreprocessorConfig } from '@dymu/weights';
import type { PreprocessArgs } from './preprocess-options.ts';

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
