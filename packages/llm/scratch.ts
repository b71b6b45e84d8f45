import { makeVlmModel } from '@dymu/weights';
import { Vlm } from './src/index.ts';
for (const family of ['llama', 'qwen2'] as const) {
  const { dir } = makeVlmModel({ family, preset: 'tiny', seed: 0, out: `/tmp/vtu/vlm-${family}` });
  const vlm = await Vlm.load(dir);
  for (const vtu of [true, false]) {
    const a = await vlm.ask(['/work/shared/fixtures/images/chelsea.jpg'], 'What is in the image?', { maxNewTokens: 12, vtu });
    console.log(family, vtu, JSON.stringify(a.text), a.finish, a.tokens.length, a.visualTokens, a.unique, a.virtual, a.timings);
  }
}
