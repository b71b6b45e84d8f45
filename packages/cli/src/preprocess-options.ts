import type { Argv } from 'yargs';

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
