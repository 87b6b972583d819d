// Owns the answer to `telemetryInjector/stats` (protocol/server-stats.ts): an event-loop-delay
// histogram of the main thread, reset at each request. Must never slow the server: the histogram
// is node's own (sampled by a libuv timer in C++), started only when a client first asks.
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { ServerStats } from '../../../protocol/server-stats.js';

const RESOLUTION_MS = 1;
const NS_PER_MS = 1e6;

export class ServerStatsMonitor {
  private histogram?: IntervalHistogram;

  /** The delays since the previous call (nothing measured before the first one), then starts anew. */
  read(): ServerStats {
    const h = this.histogram;
    if (!h) {
      this.histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
      this.histogram.enable();
    }
    // The histogram records the whole wait of each sample timer: the resolution itself is not delay.
    const ms = (ns: number) => (h && h.count > 0 ? Math.max(0, ns / NS_PER_MS - RESOLUTION_MS) : 0);
    const stats: ServerStats = {
      eventLoopDelay: {
        samples: h?.count ?? 0,
        resolutionMs: RESOLUTION_MS,
        p50Ms: ms(h?.percentile(50) ?? 0),
        p99Ms: ms(h?.percentile(99) ?? 0),
        maxMs: ms(h?.max ?? 0),
      },
    };
    h?.reset();
    return stats;
  }

  dispose(): void {
    this.histogram?.disable();
  }
}
