// The body of a pool worker: answers one task with the Engine facade, in plain data. Kept apart
// from worker.ts so that it can run in-process too (tests, a single-threaded fallback).
// Must never keep a tree (each one is deleted inside the engine call) and never return file text
// that the task did not send.
import fs from 'node:fs';
import type { Engine } from '../engine/engine.js';
import { LineIndex } from '../text/positions.js';
import { contentSkipReason, sizeSkipReason } from '../workspace/file-filter.js';
import { selects, type FileSummary, type SummarizeTask, type Task, type TaskResults } from './tasks.js';

export async function handle<T extends Task>(engine: Engine, task: T): Promise<TaskResults[T['kind']]> {
  return (await answer(engine, task)) as TaskResults[T['kind']];
}

async function answer(engine: Engine, task: Task): Promise<TaskResults[Task['kind']]> {
  switch (task.kind) {
    case 'analyze': {
      await engine.ready(task.lang);
      const { language, functions, errorCount, hasImport } = engine.analyze(task.lang, task.text);
      // Sites carry planner details that nobody across the boundary needs: drop them before cloning.
      return { language, errorCount, hasImport, functions: functions.map(({ detail: _, ...site }) => site) };
    }
    case 'scan': {
      await engine.ready(task.lang);
      const { language, functions, errorCount, hasImport } = engine.scan(task.lang, task.text);
      return { language, errorCount, hasImport, functions: functions.map(({ detail: _, ...site }) => site) };
    }
    case 'add':
      await engine.ready(task.lang);
      return engine.add(task.lang, task.text, task.options, selects(task.select), undefined, { known: task.analysis });
    case 'strip':
      await engine.ready(task.lang);
      return engine.strip(task.lang, task.text, task.select && selects(task.select));
    case 'summarize':
      return summarize(engine, task);
  }
}

async function summarize(engine: Engine, task: SummarizeTask): Promise<FileSummary> {
  // Synchronous reads: the worker has nothing else to do meanwhile, and fs.promises' stat and
  // readFile take six trips through libuv's threads per file (open, fstat, reads, close), each a
  // sleep and wake of the worker: 0.7 ms a file against 17 µs synchronous on a loaded machine,
  // 40% of parse-only time on node_modules' small files.
  const size = fs.statSync(task.filePath).size;
  const tooLarge = sizeSkipReason(size, task.maxFileSize, task.names);
  if (tooLarge) return { skipped: tooLarge };
  const bytes = fs.readFileSync(task.filePath);
  const binary = contentSkipReason(bytes, task.maxFileSize, task.names);
  if (binary) return { skipped: binary };
  let text: string;
  try {
    // A BOM is dropped, as editors drop it, so that ranges match the editor's lines.
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return { skipped: 'it is not valid UTF-8' };
  }
  await engine.ready(task.lang);
  // Coverage only: the light scan gives the same functions and states as a full analysis.
  const analysis = engine.scan(task.lang, text);
  const lines = new LineIndex(text);
  const functions = analysis.functions.map((f) => {
    const summary = { name: f.name, kind: f.kind, instrumented: f.instrumented, ignored: f.ignored, broken: f.broken, missing: f.missing };
    return { ...summary, ...(f.skip !== undefined && { skip: f.skip }), range: lines.rangeOf(f.nameRange) };
  });
  return { functions, errorCount: analysis.errorCount, hasImport: analysis.hasImport };
}
