// Loopback servers that speak the OpenAI, Anthropic and Ollama wire protocols on 127.0.0.1, for
// every LLM test and the pool bench: the real SDKs talk to them; nothing is mocked in-process.
export { faultSequence, type Fault, type Loopback, type LoopbackCall, type LoopbackOptions } from './server.js';
export { startOpenAiLoopback } from './openai.js';
export { startAnthropicLoopback } from './anthropic.js';
export { startOllamaLoopback, type OllamaLoopback, type OllamaModel, type OllamaState } from './ollama.js';
