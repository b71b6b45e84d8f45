import { DymuError } from '@dymu/core';
import type { LlmFamily } from '@dymu/weights';

/** Where an image's tokens go in a prompt (LLaVA's DEFAULT_IMAGE_TOKEN). */
export const IMAGE_PLACEHOLDER = '<image>';

/** A single-turn chat prompt as LLaVA's conversation templates write it. */
export interface ChatTemplate {
  readonly name: string;
  /** The prompt for one user turn with `images` placeholders ("<image>\n" each) before the question, ending where the assistant speaks. */
  prompt(question: string, images: number): string;
  /** Strings that end the answer. */
  readonly stop: readonly string[];
}

/** SeparatorStyle.TWO of LLaVA's conversation.py: `{system} USER: {message} ASSISTANT:`. */
function two(name: string, system: string): ChatTemplate {
  return { name, prompt: (question, images) => `${system} USER: ${`${IMAGE_PLACEHOLDER}\n`.repeat(images)}${question} ASSISTANT:`, stop: ['</s>'] };
}

/** SeparatorStyle.CHATML (LLaVA-NeXT's qwen_1_5, the Qwen2 chat template). */
function chatml(name: string, system: string): ChatTemplate {
  return {
    name,
    prompt: (question, images) => `<|im_start|>system\n${system}<|im_end|>\n<|im_start|>user\n${`${IMAGE_PLACEHOLDER}\n`.repeat(images)}${question}<|im_end|>\n<|im_start|>assistant\n`,
    stop: ['<|im_end|>'],
  };
}

export const CHAT_TEMPLATES: Record<string, ChatTemplate> = {
  /** `--conv-mode vicuna_v1`, LLaVA-1.5's evaluation template. */
  vicuna_v1: two('vicuna_v1', "A chat between a curious user and an artificial intelligence assistant. The assistant gives helpful, detailed, and polite answers to the user's questions."),
  /** `llava_v1`: the same with "human" for "user". */
  llava_v1: two('llava_v1', "A chat between a curious human and an artificial intelligence assistant. The assistant gives helpful, detailed, and polite answers to the human's questions."),
  /** LLaVA-OneVision (Qwen2). */
  qwen_1_5: chatml('qwen_1_5', 'You are a helpful assistant.'),
};

export function chatTemplate(name: string): ChatTemplate {
  if (!Object.hasOwn(CHAT_TEMPLATES, name)) throw new DymuError(`unknown chat template ${JSON.stringify(name)} (expected ${Object.keys(CHAT_TEMPLATES).join(', ')})`, { field: 'template' });
  return CHAT_TEMPLATES[name];
}

/** LLaVA-1.5 (Vicuna): vicuna_v1; LLaVA-OneVision (Qwen2): qwen_1_5. */
export function defaultTemplate(family: LlmFamily): ChatTemplate {
  return CHAT_TEMPLATES[family === 'llama' ? 'vicuna_v1' : 'qwen_1_5'];
}
