// Bench (k): the OpenTelemetry SDKs side by side with our runtimes, in the same run. Each SDK runs
// the spec's benchmark scenario (AlwaysOn, 1 attribute, 1 event, span started and ended at once)
// with a no-op exporter, plus a non-recording span; bench/otel-sdk/ holds the three programs. An
// SDK that is not installed is reported as missing with how to install it, never silently skipped.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SdkCost {
  language: 'python' | 'node' | 'go';
  sdk: string;
  /** Why the SDK could not be measured (then the figures are NaN). */
  missing?: string;
  spanNs: number;
  nonRecordingNs: number;
  /** Go: allocations per span (testing.AllocsPerRun). */
  spanAllocs?: number;
  nonRecordingAllocs?: number;
}

const PY_SDK = '1.38.0';
const REPS = 15;
// Compiled to dist/bench/: the programs stay in the source folder.
const folder = join(import.meta.dirname, '..', '..', 'bench', 'otel-sdk');

export function measureOtelSdks(): SdkCost[] {
  return [python(), node(), go()];
}

function python(): SdkCost {
  const sdk = `opentelemetry-sdk ${PY_SDK}`;
  const target = join(homedir(), '.cache', 'telemetry-injector', `otel-py-${PY_SDK}`);
  const env = { ...process.env, PYTHONPATH: [target, process.env.PYTHONPATH].filter(Boolean).join(':') };
  try {
    execFileSync('python3', ['-c', 'import opentelemetry.sdk.trace'], { env, stdio: 'ignore' });
  } catch {
    return missing('python', sdk, `not installed: pip install --target ${target} opentelemetry-sdk==${PY_SDK}`);
  }
  return { language: 'python', sdk, ...run('python3', [join(folder, 'python_sdk.py'), '2000', String(REPS)], env) };
}

function node(): SdkCost {
  const sdk = '@opentelemetry/sdk-trace-base (devDependency)';
  try {
    return { language: 'node', sdk, ...run(process.execPath, [join(folder, 'node-sdk.cjs'), '20000', String(REPS)], process.env) };
  } catch (e) {
    return missing('node', sdk, `failed: ${String(e).split('\n')[0]} (npm ci installs it)`);
  }
}

function go(): SdkCost {
  const sdk = 'go.opentelemetry.io/otel/sdk (bench/otel-sdk/go)';
  const bin = join(mkdtempSync(join(tmpdir(), 'bench-otel-go-')), 'otel-go');
  try {
    execFileSync('go', ['build', '-o', bin, '.'], { cwd: join(folder, 'go'), env: { ...process.env, GOFLAGS: '-mod=mod' }, stdio: 'pipe' });
  } catch (e) {
    return missing('go', sdk, `could not build (the Go module proxy or cache is needed): ${String(e).split('\n')[0]}`);
  }
  if (!existsSync(bin)) return missing('go', sdk, 'no binary built');
  return { language: 'go', sdk, ...run(bin, ['20000', String(REPS)], process.env) };
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Omit<SdkCost, 'language' | 'sdk'> {
  return JSON.parse(execFileSync(command, args, { env, encoding: 'utf8' })) as Omit<SdkCost, 'language' | 'sdk'>;
}

function missing(language: SdkCost['language'], sdk: string, why: string): SdkCost {
  return { language, sdk, missing: why, spanNs: NaN, nonRecordingNs: NaN };
}
