// The runtimes read TELEMETRY_REDACT themselves: when it is unset, each must fall back to the
// same pattern as the engine's `redact` setting, or a name redacted at one end would show at the other.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { DEFAULT_REDACT } from '../../server/src/engine/types.js';
import { runtimeDir } from './helpers.js';

it.each([
  ['python', 'telemetry_runtime.py'],
  ['javascript', 'telemetry-runtime.cjs'],
  ['go', 'preview.go'],
] as const)("the %s runtime's default redaction pattern is the engine's DEFAULT_REDACT", (lang, file) => {
  const source = readFileSync(join(runtimeDir(lang), file), 'utf8');
  const quoted = { python: `r"${DEFAULT_REDACT}"`, javascript: `'${DEFAULT_REDACT}'`, go: `\`${DEFAULT_REDACT}\`` }[lang];
  expect(source).toContain(quoted);
});
