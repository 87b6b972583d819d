// The custom `telemetryInjector/stats` request (client -> server), a diagnostic: how long the
// server's main thread went without running due timers (perf_hooks.monitorEventLoopDelay), since
// the previous stats request or since start. Not advertised in capabilities; the benchmark reads it
// to show that no request blocks the main thread. A busy machine adds its own scheduling delays.
import { RequestType0 } from 'vscode-languageserver';

export interface EventLoopDelay {
  /** Samples taken (one per `resolutionMs` the loop was free to take them). */
  samples: number;
  resolutionMs: number;
  /** Delay beyond the resolution, in milliseconds. */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface ServerStats {
  eventLoopDelay: EventLoopDelay;
}

export const ServerStatsRequest = new RequestType0<ServerStats, void>('telemetryInjector/stats');
