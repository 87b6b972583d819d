// The Zed extension (clients/zed), a Rust crate built against the published zed_extension_api crate:
// cargo check, cargo clippy -D warnings and its unit tests (server lookup and settings) on the native
// target. Neither Zed nor a wasm target runs here; the protocol side is the replay of Zed's captured
// capabilities in tests/protocol/conformance.test.ts. Builds go to a cache folder outside the
// repository, keyed by the crate's version, so that a second run compiles only the crate.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { languageForLspId } from '../../server/src/languages/registry.js';
import { providedKinds } from '../../server/src/lsp/code-actions.js';
import { repoRoot } from '../protocol/lsp-client.js';

const crateDir = path.join(repoRoot, 'clients/zed');
const cargoToml = parse(fs.readFileSync(path.join(crateDir, 'Cargo.toml'), 'utf8')) as { package: { version: string } };
const targetDir = path.join(os.homedir(), '.cache/telemetry-injector', `zed-target-${cargoToml.package.version}`);

/** Runs cargo without blocking the worker: a cold build takes minutes, and vitest's own messages must flow meanwhile. */
function cargo(args: string[]): Promise<{ status: number | null; output: string; seconds: number }> {
  const started = Date.now();
  // --locked (before any `--`): the committed Cargo.lock is the one built; a stale lock fails instead of being rewritten.
  const child = spawn('cargo', [args[0]!, '--locked', ...args.slice(1)], {
    cwd: crateDir,
    env: { ...process.env, CARGO_TARGET_DIR: targetDir, CARGO_TERM_COLOR: 'never' },
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status) => {
      const seconds = (Date.now() - started) / 1000;
      console.log(`[zed] cargo ${args.join(' ')}: ${seconds.toFixed(1)} s`);
      resolve({ status, output, seconds });
    });
  });
}

const tail = (output: string): string => output.split('\n').slice(-60).join('\n');

describe('the Zed extension', () => {
  it('registers telemetry-injector for Python, JavaScript, TypeScript, TSX, Go, Java and Rust, with language ids the server knows', () => {
    const manifest = parse(fs.readFileSync(path.join(crateDir, 'extension.toml'), 'utf8')) as {
      language_servers: Record<string, { languages: string[]; language_ids: Record<string, string> }>;
    };
    const server = manifest.language_servers['telemetry-injector'];
    expect(server?.languages).toEqual(['Python', 'JavaScript', 'TypeScript', 'TSX', 'Go', 'Java', 'Rust']);
    for (const language of server!.languages) expect(languageForLspId(server!.language_ids[language] ?? ''), language).toBeDefined();
  });

  it('asks for exactly the code action kinds the server provides', () => {
    const manifest = parse(fs.readFileSync(path.join(crateDir, 'extension.toml'), 'utf8')) as {
      language_servers: Record<string, { code_action_kinds: string[] }>;
    };
    expect(manifest.language_servers['telemetry-injector']?.code_action_kinds).toEqual([...providedKinds]);
  });

  it('type-checks with cargo check', { timeout: 900_000 }, async () => {
    if (spawnSync('cargo', ['--version']).status !== 0) throw new Error('cargo is missing: install a Rust toolchain (the polyglot machine has one)');
    const run = await cargo(['check']);
    expect(run.status, tail(run.output)).toBe(0);
  });

  it('has no clippy warnings, tests included', { timeout: 600_000 }, async () => {
    const run = await cargo(['clippy', '--all-targets', '--', '-D', 'warnings']);
    expect(run.status, tail(run.output)).toBe(0);
  });

  it('passes its unit tests: the server lookup order and the settings section', { timeout: 900_000 }, async () => {
    const run = await cargo(['test']);
    expect(run.status, tail(run.output)).toBe(0);
    expect(run.output).toMatch(/test result: ok\. \d+ passed; 0 failed/);
    expect(run.output).toContain('the_binary_setting_wins_over_everything_else ... ok');
    expect(run.output).toContain('settings_are_answered_under_the_telemetry_injector_section ... ok');
  });
});
