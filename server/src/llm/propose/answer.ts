// Reads a model's answer: `{"code": "<the whole function, instrumented>"}` (the schema the request
// sends), or, as a fallback, a single fenced code block. Owns that contract and nothing else.
// Must never guess: an answer with two code blocks, or none, is no proposal.

/** The JSON schema sent as LlmRequest.schema. */
export const ANSWER_SCHEMA = {
  name: 'instrumented_function',
  schema: {
    type: 'object',
    properties: { code: { type: 'string', description: 'the whole function, instrumented' } },
    required: ['code'],
    additionalProperties: false,
  },
} as const;

const FENCE = /^(`{3,}|~{3,})[^\n]*\n([\s\S]*?)\n\1[ \t]*$/gm;

/** The proposed code, or why the answer holds none. */
export function readAnswer(text: string): { code: string } | { error: string } {
  const json = parseJson(text.trim()) ?? parseJson(unfence(text.trim()) ?? '');
  if (json !== undefined) {
    const code = (json as { code?: unknown } | null)?.code;
    return typeof code === 'string' && code.trim() ? { code } : { error: 'the JSON answer has no "code" string' };
  }
  const blocks = [...text.matchAll(FENCE)];
  if (blocks.length === 1) return { code: blocks[0][2] };
  return { error: blocks.length ? 'the answer holds several code blocks; send one' : 'the answer is neither {"code": ...} nor one fenced code block' };
}

function unfence(text: string): string | undefined {
  const m = /^(`{3,})\w*\n([\s\S]*)\n\1$/.exec(text);
  return m?.[2];
}

function parseJson(text: string): unknown {
  if (!text.startsWith('{')) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
