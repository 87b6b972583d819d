// The child process of row (j): aggregates one event file with the trace model and prints its
// counts, the seconds taken and the process's peak RSS as JSON. Must print nothing else on stdout.
import { TraceAggregator } from '../server/src/trace/aggregate.js';
import { emptyCounts, readEvents } from '../server/src/trace/event-stream.js';

const file = process.argv[2]!;
const started = performance.now();
const model = new TraceAggregator();
const counts = emptyCounts();
for await (const { event } of readEvents(file, counts)) model.add(event);
const seconds = (performance.now() - started) / 1000;
process.stdout.write(
  JSON.stringify({ events: counts.events, functions: model.functions.size, seconds, maxRssKiB: process.resourceUsage().maxRSS }),
);
