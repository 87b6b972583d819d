// Loopback servers that speak the OpenAI, Anthropic and Ollama wire protocols on 127.0.0.1, for
// every LLM test and the pool bench: the real SDKs talk to them; nothing is mocked in-process.
//
//   const server = await startOllamaLoopback({
//     answer: (call) => JSON.stringify({ code: instrument(call.prompt) }),  // the model's text
//     fault: faultSequence({ kind: 'status', status: 429, retryAfter: '1' }), // call 0 fails, then fine
//   });
//   const client = createLlmClient(llmConfig({ LLM_PROVIDER: 'ollama', LLM_MODEL: 'm', LLM_BASE_URL: server.url }).config);
//   …; server.calls (model, system, prompt, schema, stream, body, headers); await server.close();
//
// Faults: status (429 + Retry-After, 500, 503…), stall, stall-after-headers, cut, stream-error,
// invalid-json, huge, delay. `latencyMs` delays every answer.
export { faultSequence, type Fault, type Loopback, type LoopbackCall, type LoopbackOptions } from './server.js';
export { startOpenAiLoopback } from './openai.js';
export { startAnthropicLoopback } from './anthropic.js';
export { startOllamaLoopback, type OllamaLoopback, type OllamaModel, type OllamaState } from './ollama.js';
