// Coverage: which functions must carry telemetry and lack it. The one definition shared by the
// language server's diagnostics and actions and the CLI's check. Plain data in, plain data out.
import type { FunctionSite } from './types.js';

export type FunctionState = 'instrumented' | 'ignored' | 'missing' | 'broken' | 'skipped' | 'not-required';

type SiteFacts = Pick<FunctionSite, 'instrumented' | 'ignored' | 'broken' | 'skip'> & { kind?: string };

/** `requireKinds` lists grammar node types that must carry telemetry; `*` means all. */
export function functionState(site: SiteFacts, requireKinds: readonly string[] = ['*']): FunctionState {
  if (site.broken) return 'broken';
  if (site.skip !== undefined) return 'skipped';
  if (site.instrumented) return 'instrumented';
  if (site.ignored) return 'ignored';
  const required = requireKinds.includes('*') || (site.kind !== undefined && requireKinds.includes(site.kind));
  return required ? 'missing' : 'not-required';
}
