// The shared loopback servers (tests/llm/loopback/) set up for the LLM-call-aware probe programs:
// one OpenAI, one Anthropic and one Ollama server on 127.0.0.1, each answering "hello from
// <provider>" as a dated model, and a 500 for the model "broken"; with the gen_ai each response
// must produce (the loopbacks count a token per 4 characters).
import { startAnthropicLoopback, startOllamaLoopback, startOpenAiLoopback, type Loopback, type LoopbackCall } from '../llm/loopback/index.js';
import { tokenCount } from '../llm/loopback/server.js';

export const QUESTION = 'hi';

const answer = (provider: string) => `hello from ${provider}`;
const spec = (provider: string, model: string, finish: string) => ({
  model,
  input: tokenCount(QUESTION),
  output: tokenCount(answer(provider)),
  finish,
});

export const WIRE = {
  openai: spec('openai', 'gpt-4o-mini-2024-07-18', 'stop'),
  anthropic: spec('anthropic', 'claude-haiku-4-5-20251001', 'end_turn'),
  ollama: spec('ollama', 'llama3.2:3b', 'stop'),
} as const;

export interface Wire {
  /** OPENAI_BASE, ANTHROPIC_BASE and OLLAMA_BASE for the programs. */
  env: Record<string, string>;
  /** Model calls the three servers have answered (or failed). */
  calls(): number;
  close(): Promise<void>;
}

export async function startWire(): Promise<Wire> {
  const broken = (call: LoopbackCall) => (call.model === 'broken' ? ({ kind: 'status', status: 500 } as const) : undefined);
  const servers: Loopback[] = await Promise.all([
    startOpenAiLoopback({ answer: () => answer('openai'), responseModel: WIRE.openai.model, fault: broken }),
    startAnthropicLoopback({ answer: () => answer('anthropic'), responseModel: WIRE.anthropic.model, fault: broken }),
    startOllamaLoopback({ answer: () => answer('ollama'), responseModel: WIRE.ollama.model, fault: broken }),
  ]);
  const [openai, anthropic, ollama] = servers as [Loopback, Loopback, Loopback];
  return {
    env: { OPENAI_BASE: openai.url, ANTHROPIC_BASE: anthropic.url, OLLAMA_BASE: ollama.url },
    calls: () => servers.reduce((sum, s) => sum + s.calls.length, 0),
    close: async () => void (await Promise.all(servers.map((s) => s.close()))),
  };
}
