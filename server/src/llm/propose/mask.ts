// Masks secrets in function text before it goes to a remote provider, and puts them back into the
// answer: key-shaped strings, and the literal values assigned to names the `redact` pattern matches.
// A mask is a placeholder the model must keep as it is; unmasking restores the original bytes, so a
// proposal that changed a placeholder fails the byte-for-byte check like any other change.
// Must never send a masked value, and never leave a placeholder in code that reaches a file.

export interface Masked {
  text: string;
  /** Placeholder -> original value. */
  secrets: Map<string, string>;
}

/** Strings shaped like credentials, wherever they stand. */
const KEY_SHAPES = [
  /\bsk-(?:ant-|proj-)?[A-Za-z0-9_-]{16,}/g, // OpenAI, Anthropic
  /\bAKIA[0-9A-Z]{16}\b/g, // AWS access key id
  /\bgh[pousr]_[A-Za-z0-9]{30,}/g, // GitHub tokens
  /\bxox[abposr]-[A-Za-z0-9-]{10,}/g, // Slack
  /\bAIza[0-9A-Za-z_-]{35}\b/g, // Google API key
  /\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/g, // JWT
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
];

/** `name = "value"`, `name: 'value'`, `name := "value"`, `"name": "value"`. */
const ASSIGNED = /(["']?)([\p{L}_$][\p{L}\p{N}_$]*)\1(\s*(?::=|=|:)\s*)(["'`])((?:\\.|(?!\4)[^\\\r\n])*)\4/gu;

export function maskSecrets(text: string, redact: string): Masked {
  const secrets = new Map<string, string>();
  const byValue = new Map<string, string>();
  const mask = (value: string) => {
    let key = byValue.get(value);
    if (!key) {
      key = `__MASKED_SECRET_${byValue.size + 1}__`;
      byValue.set(value, key);
      secrets.set(key, value);
    }
    return key;
  };
  let out = text;
  for (const shape of KEY_SHAPES) out = out.replace(shape, (m) => mask(m));
  let names: RegExp;
  try {
    names = new RegExp(redact, 'i');
  } catch {
    names = /.^/;
  }
  out = out.replace(ASSIGNED, (whole, q: string, name: string, op: string, quote: string, value: string) =>
    names.test(name) && value.length > 0 && !value.startsWith('__MASKED_SECRET_') ? `${q}${name}${q}${op}${quote}${mask(value)}${quote}` : whole,
  );
  return { text: out, secrets };
}

/** The answer with every placeholder replaced by its original value. */
export function unmask(answer: string, masked: Masked): string {
  let out = answer;
  for (const [key, value] of masked.secrets) out = out.split(key).join(value);
  return out;
}

/** Masks again, in a checker's message, the values an answer's unmasking put back (tsc quotes literal types). */
export function remask(message: string, masked: Masked): string {
  let out = message;
  const longestFirst = [...masked.secrets].sort((a, b) => b[1].length - a[1].length);
  for (const [key, value] of longestFirst) out = out.split(value).join(key);
  return out;
}
