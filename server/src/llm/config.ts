// The LLM layer's configuration: one pure function from the environment (the DESIGN contract:
// LLM_PROVIDER, LLM_MODEL, LLM_BASE_URL, OPENAI_API_KEY, ANTHROPIC_API_KEY, LLM_TIMEOUT) and the
// language-server settings (the same values, never the keys) to a checked LlmConfig.
// Owns every LLM variable's parsing; must never read process.env itself, and never put a key in a
// message (errors name the variable, not its value).
import type { ProviderName } from './types.js';

export interface LlmConfig {
  provider: ProviderName;
  /** The rotation; the last is the strong model (LlmRequest.strong). */
  models: string[];
  /** Base URLs, one per server; the SDK's default when none is set. */
  endpoints: string[];
  /** Never logged, never in an error message. */
  apiKey?: string;
  /** One HTTP request, first byte to last token. */
  timeoutMs: number;
  /** Request start to the first token of the answer. */
  firstTokenTimeoutMs: number;
  /** Requests one endpoint serves at once; more wait in the pool's queue. */
  parallelPerEndpoint: number;
  /** Stream answers (SSE / NDJSON): the first-token timeout can fire early and huge answers stop early. */
  stream: boolean;
}

/** The language-server settings' LLM section (`telemetryInjector.llm`): everything but keys. */
export interface LlmSettings {
  provider?: string;
  model?: string | string[];
  baseUrl?: string | string[];
  /** Seconds. */
  timeout?: number | string;
  /** Seconds. */
  firstTokenTimeout?: number | string;
  parallelPerEndpoint?: number | string;
  stream?: boolean;
}

export type LlmConfigResult = { configured: true; config: LlmConfig } | { configured: false; reason: string };

/** A value that is set but wrong: the message names the variable or setting and what it expects. */
export class LlmConfigError extends Error {
  override name = 'LlmConfigError';
}

const PROVIDERS: readonly ProviderName[] = ['openai', 'anthropic', 'ollama'];

/** The SDKs' own defaults, named so that `llm status` can show where requests go. */
export const DEFAULT_ENDPOINTS: Record<ProviderName, string> = {
  openai: 'https://api.openai.com/v1',
  anthropic: 'https://api.anthropic.com',
  ollama: 'http://127.0.0.1:11434',
};

const KEY_VARIABLE: Partial<Record<ProviderName, string>> = { openai: 'OPENAI_API_KEY', anthropic: 'ANTHROPIC_API_KEY' };

/**
 * Settings win over the environment where both are given: they are the more specific (per
 * workspace). Unset means "not configured" (with the reason); set but wrong throws LlmConfigError.
 */
export function llmConfig(env: Readonly<Record<string, string | undefined>>, settings: LlmSettings = {}): LlmConfigResult {
  const pick = <T>(setting: T | undefined, variable: string): { value: T | string; from: string } | undefined => {
    if (setting !== undefined && setting !== '' && !(Array.isArray(setting) && setting.length === 0)) return { value: setting, from: `setting telemetryInjector.llm.${settingName(variable)}` };
    const raw = env[variable];
    return raw !== undefined && raw.trim() !== '' ? { value: raw, from: variable } : undefined;
  };

  const providerValue = pick(settings.provider, 'LLM_PROVIDER');
  if (!providerValue) return { configured: false, reason: 'no LLM provider configured: set LLM_PROVIDER to openai, anthropic or ollama' };
  const provider = String(providerValue.value).trim().toLowerCase() as ProviderName;
  if (!PROVIDERS.includes(provider)) throw new LlmConfigError(`${providerValue.from}: unknown provider "${String(providerValue.value)}" (expected openai, anthropic or ollama)`);

  const modelValue = pick(settings.model, 'LLM_MODEL');
  if (!modelValue) return { configured: false, reason: `no model configured for ${provider}: set LLM_MODEL (a comma list, rotated; the last is the strong model)` };
  const models = list(modelValue.value);
  if (models.length === 0) throw new LlmConfigError(`${modelValue.from}: no model names in "${String(modelValue.value)}"`);

  const urlValue = pick(settings.baseUrl, 'LLM_BASE_URL') ?? (provider === 'ollama' ? pick(undefined, 'OLLAMA_HOST') : undefined);
  const endpoints = urlValue ? list(urlValue.value).map((u) => baseUrl(u, urlValue.from)) : [DEFAULT_ENDPOINTS[provider]];
  if (endpoints.length === 0) throw new LlmConfigError(`${urlValue!.from}: no URLs in "${String(urlValue!.value)}"`);
  if (new Set(endpoints).size !== endpoints.length) throw new LlmConfigError(`${urlValue!.from}: an endpoint is listed twice`);

  const keyVariable = KEY_VARIABLE[provider];
  let apiKey = keyVariable ? env[keyVariable]?.trim() || undefined : undefined;
  if (keyVariable && !apiKey) {
    // A self-hosted OpenAI- or Anthropic-compatible server often needs no key; the vendor's does.
    if (!urlValue) return { configured: false, reason: `${keyVariable} is not set (needed for ${provider} unless LLM_BASE_URL points at a server that needs no key)` };
    apiKey = 'none';
  }

  const timeout = pick(settings.timeout, 'LLM_TIMEOUT');
  const firstToken = pick(settings.firstTokenTimeout, 'LLM_FIRST_TOKEN_TIMEOUT');
  const parallel = pick(settings.parallelPerEndpoint, 'OLLAMA_NUM_PARALLEL');
  return {
    configured: true,
    config: {
      provider,
      models,
      endpoints,
      ...(apiKey ? { apiKey } : {}),
      timeoutMs: timeout ? seconds(timeout.value, timeout.from) : 60_000,
      firstTokenTimeoutMs: firstToken ? seconds(firstToken.value, firstToken.from) : 10_000,
      // Ollama serves one request per model at a time unless OLLAMA_NUM_PARALLEL says otherwise;
      // hosted APIs take several.
      parallelPerEndpoint: parallel ? positiveInteger(parallel.value, parallel.from) : provider === 'ollama' ? 1 : 4,
      stream: settings.stream ?? env.LLM_STREAM?.trim() !== '0',
    },
  };
}

function settingName(variable: string): string {
  const names: Record<string, string> = {
    LLM_PROVIDER: 'provider',
    LLM_MODEL: 'model',
    LLM_BASE_URL: 'baseUrl',
    LLM_TIMEOUT: 'timeout',
    LLM_FIRST_TOKEN_TIMEOUT: 'firstTokenTimeout',
    OLLAMA_NUM_PARALLEL: 'parallelPerEndpoint',
  };
  return names[variable] ?? variable;
}

function list(value: unknown): string[] {
  const items = Array.isArray(value) ? value.map(String) : String(value).split(',');
  return items.map((s) => s.trim()).filter((s) => s !== '');
}

function baseUrl(raw: string, from: string): string {
  // Checked before anything echoes the value: a key in a URL must not reach a message.
  if (/^[^/]*\/\/[^/]*@/.test(raw)) throw new LlmConfigError(`${from}: put credentials in the API key variable, not in the URL`);
  // OLLAMA_HOST is often a bare host:port.
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new LlmConfigError(`${from}: "${raw}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new LlmConfigError(`${from}: "${raw}" is not an http or https URL`);
  return url.href.replace(/\/+$/, '');
}

/** Seconds, as a number or "90", "1.5", "90s", "500ms"; returned in milliseconds. */
function seconds(value: unknown, from: string): number {
  const text = String(value).trim();
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s)?$/.exec(text);
  const ms = match ? Number(match[1]) * (match[2] === 'ms' ? 1 : 1000) : NaN;
  if (!Number.isFinite(ms) || ms <= 0) throw new LlmConfigError(`${from}: "${text}" is not a positive duration (seconds, e.g. 60 or 1.5, or 500ms)`);
  return Math.round(ms);
}

function positiveInteger(value: unknown, from: string): number {
  const text = String(value).trim();
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw new LlmConfigError(`${from}: "${text}" is not a positive whole number`);
  return n;
}
