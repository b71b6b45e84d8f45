import { setTimeout as sleep } from 'node:timers/promises';
import { DymuError, Progress } from '@dymu/core';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface JudgeRequest {
  messages: ChatMessage[];
  temperature: number;
  maxTokens: number;
}

/** A model that grades answers (MM-Vet, LLaVA-Bench): one chat completion per request, its text returned. */
export interface Judge {
  readonly model: string;
  complete(request: JudgeRequest): Promise<string>;
}

/** An OpenAI-compatible chat-completions endpoint. */
export interface JudgeConfig {
  /** e.g. `https://api.openai.com/v1`; requests go to `${baseUrl}/chat/completions`. */
  baseUrl: string;
  /** e.g. `gpt-4-0613`, the MM-Vet grader; LLaVA-Bench used `gpt-4-0314`. */
  model: string;
  /** The environment variable holding the API key (sent as a Bearer token); omit for servers without keys. */
  apiKeyEnv?: string;
  /** Retries after HTTP 429 / 5xx or a network failure, waiting 1 s, 2 s, 4 s, … Default 5. */
  retries?: number;
  retryDelayMs?: number;
}

function isJudge(judge: Judge | JudgeConfig): judge is Judge {
  return typeof (judge as Judge).complete === 'function';
}

/** A Judge calling an OpenAI-compatible endpoint with Node's fetch. The API key is read now, from `config.apiKeyEnv`. */
export function openAiJudge(config: JudgeConfig, env: NodeJS.ProcessEnv = process.env): Judge {
  const key = config.apiKeyEnv === undefined ? undefined : env[config.apiKeyEnv];
  if (config.apiKeyEnv !== undefined && !key) {
    throw new DymuError(`the environment variable ${config.apiKeyEnv} holding the judge's API key is not set`, { field: 'judge.apiKeyEnv' });
  }
  const url = `${config.baseUrl.replace(/\/+$/, '')}/chat/completions`;
  const retries = config.retries ?? 5;
  const delay = config.retryDelayMs ?? 1000;
  const headers: Record<string, string> = { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) };

  async function post(body: string): Promise<Response | Error> {
    try {
      return await fetch(url, { method: 'POST', headers, body });
    } catch (cause) {
      return cause as Error;
    }
  }

  return {
    model: config.model,
    async complete({ messages, temperature, maxTokens }) {
      const body = JSON.stringify({ model: config.model, messages, temperature, max_tokens: maxTokens });
      for (let attempt = 0; ; attempt++) {
        const response = await post(body);
        const transient = response instanceof Error || response.status === 429 || response.status >= 500;
        if (transient && attempt < retries) {
          await sleep(delay * 2 ** attempt);
          continue;
        }
        if (response instanceof Error) throw new DymuError(`request failed: ${response.message}`, { file: url, cause: response });
        const text = await response.text();
        if (!response.ok) throw new DymuError(`HTTP ${response.status}: ${text.slice(0, 500)}`, { file: url });
        let content: unknown;
        try {
          content = JSON.parse(text).choices[0].message.content;
        } catch {
          content = undefined;
        }
        if (typeof content !== 'string') throw new DymuError(`expected a chat completion, got ${text.slice(0, 500)}`, { file: url, field: 'choices[0].message.content' });
        return content;
      }
    },
  };
}

/** The Judge a benchmark was given, built from its config when it is one; undefined when none is configured. */
export function resolveJudge(judge: Judge | JudgeConfig | undefined): Judge | undefined {
  return judge === undefined ? undefined : isJudge(judge) ? judge : openAiJudge(judge);
}

/** Grades answers one after another with a progress line (`what`: e.g. "mmvet: grading"): the judge-graded benchmarks' loop. */
export async function judgeEach<A, R>(judge: Judge, what: string, answers: readonly A[], grade: (answer: A) => Promise<R>): Promise<R[]> {
  const progress = new Progress(`${what} with ${judge.model}`, answers.length, 'answers');
  const graded: R[] = [];
  for (const answer of answers) {
    graded.push(await grade(answer));
    progress.tick();
  }
  progress.finish();
  return graded;
}

export const noJudgeMessage = (benchmark: string): string =>
  `${benchmark} is graded by a judge model and none is configured, so it is not scored: give the benchmark ` +
  '`judge: { baseUrl, model, apiKeyEnv }` (an OpenAI-compatible chat-completions endpoint); writeSubmission still writes the answers';
