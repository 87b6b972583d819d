// The trace viewer's page logic: asks the local server (/api/…) for bounded pages of JSON and
// renders them: virtualised lists of traces and calls, the function table, the selected trace's
// call tree and sequence diagram (draw.js draws the timeline and the diagram).
// Must never insert event text as HTML (previews are user data: textContent only), never fetch
// anything but its own server, never hold more than the pages it shows.
import { drawTimeline, hitBar, sequenceSvg, mermaidText } from './draw.js';

const $ = (id) => document.getElementById(id);
const api = async (path) => {
  const res = await fetch(path);
  if (!res.ok) throw new Error(`${path}: ${res.status}`);
  return res.json();
};
const el = (tag, props = {}, ...kids) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const kid of kids) if (kid != null) node.append(kid);
  return node;
};

export const ms = (ns) => {
  if (ns == null || Number.isNaN(ns)) return '—';
  if (ns < 1e3) return `${Math.round(ns)} ns`;
  if (ns < 1e6) return `${(ns / 1e3).toFixed(1)} µs`;
  if (ns < 1e9) return `${(ns / 1e6).toFixed(2)} ms`;
  return `${(ns / 1e9).toFixed(2)} s`;
};

const state = { summary: null, functions: [], query: '', view: { from: 0, to: 1 }, bars: null, selectedTrace: null, mermaid: '' };

// ---- source locations: a vscode:// link plus a copyable file:line ----
function sourceLink(file, line) {
  const root = state.summary?.root ?? '';
  const abs = file.startsWith('/') ? file : `${root}/${file}`;
  const text = `${file}:${line}`;
  return el(
    'span',
    { class: 'locbox' },
    el('a', { class: 'loc', href: `vscode://file${abs.startsWith('/') ? '' : '/'}${abs}:${line}`, title: `open ${abs}:${line} in VS Code`, text }),
    el('button', { class: 'copy', title: 'copy file:line', text: 'copy', onclick: (e) => { e.stopPropagation(); navigator.clipboard?.writeText(text); } }),
  );
}

// ---- a virtualised list: only the rows in view exist in the DOM; pages are fetched on demand ----
const ROW = 22;
function virtualList(box, fetchPage, renderRow) {
  const pages = new Map();
  const PAGE = 200;
  let total = 0;
  const spacer = el('div', { class: 'spacer' });
  box.replaceChildren(spacer);
  const render = () => {
    const first = Math.max(0, Math.floor(box.scrollTop / ROW) - 5);
    const last = Math.min(total, first + Math.ceil(box.clientHeight / ROW) + 10);
    for (const row of [...box.querySelectorAll('.vrow')]) row.remove();
    for (let i = first; i < last; i++) {
      const page = pages.get(Math.floor(i / PAGE));
      if (page === undefined) {
        load(Math.floor(i / PAGE));
        continue;
      }
      if (page === 'loading') continue;
      const item = page[i % PAGE];
      if (!item) continue;
      const row = renderRow(item, i);
      row.classList.add('vrow');
      row.style.top = `${i * ROW}px`;
      box.append(row);
    }
  };
  const load = async (p) => {
    pages.set(p, 'loading');
    const answer = await fetchPage(p * PAGE, PAGE);
    total = answer.total;
    spacer.style.height = `${total * ROW}px`;
    pages.set(p, answer.items);
    render();
  };
  box.onscroll = render;
  return load(0).then(() => total);
}

// ---- traces: the search results ----
async function showTraces() {
  const total = await virtualList(
    $('traces'),
    (offset, limit) => api(`/api/traces?q=${encodeURIComponent(state.query)}&offset=${offset}&limit=${limit}`),
    (t) =>
      el(
        'div',
        { class: `trace-row${t.index === state.selectedTrace ? ' selected' : ''}`, 'data-trace': t.id, onclick: () => openTrace(`index=${t.index}`) },
        el('span', { class: 'name', text: t.root }),
        el('span', { class: 'muted', text: ` ${ms(t.duration)} · ${t.calls} calls · ` }),
        t.errors ? el('span', { class: 'err', text: `${t.errors} errors · ` }) : null,
        el('span', { class: 'muted', text: t.id }),
      ),
  );
  $('trace-count').textContent = `(${total})`;
}

// ---- functions: the aggregates, the same numbers as the code lenses ----
function showFunctions() {
  const q = state.query.toLowerCase();
  const rows = state.functions
    .filter((f) => !q || f.name.toLowerCase().includes(q) || f.file.toLowerCase().includes(q))
    .sort((a, b) => b.calls - a.calls)
    .slice(0, 2000)
    .map((f) =>
      el(
        'tr',
        { class: 'fn-row', 'data-fn': f.name, title: f.exact ? '' : 'percentiles estimated by the sketch (within 1 %)', onclick: () => showCalls(f) },
        el('td', {}, el('div', { class: 'name', text: f.name }), sourceLink(f.file, f.line)),
        el('td', { class: 'num', text: String(f.calls) }),
        el('td', { class: `num${f.errors ? ' err' : ''}`, text: String(f.errors) }),
        el('td', { class: 'num', text: ms(f.p50) }),
        el('td', { class: 'num', text: ms(f.p95) }),
        el('td', { class: 'num', text: ms(f.p99) }),
        el('td', { class: 'err', text: f.topErrors.map((e) => `${e.type} ×${e.count}`).join(', ') }),
      ),
    );
  $('functions').tBodies[0].replaceChildren(...rows);
}

function preview(args) {
  return Object.entries(args ?? {}).map(([k, v]) => `${k}=${v}`).join(', ');
}

async function showCalls(f) {
  selectTab('calls-pane');
  $('calls-of').textContent = f.name;
  await virtualList(
    $('calls'),
    (offset, limit) => api(`/api/calls?fn=${f.fn}&offset=${offset}&limit=${limit}`),
    (c) =>
      el(
        'div',
        { class: `call-row${c.error ? ' err' : ''}`, onclick: () => openTrace(`call=${c.call}`) },
        el('span', { text: `${c.name}(${preview(c.args)})` }),
        el('span', { class: 'muted', text: c.error ? ` ✗ ${c.error.type}: ${c.error.message}` : c.ret !== undefined ? ` → ${c.ret}` : '' }),
        el('span', { class: 'muted', text: ` · ${ms(c.duration)}` }),
      ),
  );
}

// ---- one trace: call tree, inline events, sequence diagram ----
async function openTrace(query) {
  const { trace, nodes, truncated } = await api(`/api/trace?${query}`);
  state.selectedTrace = trace.index;
  if (state.bars) drawTimeline($('timeline'), state.bars, state.names, state.selectedTrace);
  $('trace-title').replaceChildren(
    el('span', { text: `trace ${trace.id} · ${trace.calls} calls · ${ms(trace.duration)}${truncated ? ' · first 5000 calls shown' : ''}` }),
    trace.errors ? el('span', { class: 'err', text: ` · ${trace.errors} errors` }) : '',
  );
  $('tree').replaceChildren(...treeRows(nodes));
  $('sequence').replaceChildren(sequenceSvg(nodes));
  state.mermaid = mermaidText(nodes);
  $('mermaid').textContent = state.mermaid;
  selectTab($('sequence-pane').classList.contains('active') ? 'sequence-pane' : 'tree-pane');
  for (const row of document.querySelectorAll('.trace-row')) row.classList.toggle('selected', row.dataset.trace === trace.id);
}

// A call's head, then its fine-grained events and its callees interleaved in time order.
function treeRows(nodes) {
  const kids = new Map();
  const stack = [];
  const roots = [];
  for (const n of nodes) {
    while (stack.length && stack[stack.length - 1].depth >= n.depth) stack.pop();
    if (stack.length) kids.get(stack[stack.length - 1]).push(n);
    else roots.push(n);
    kids.set(n, []);
    stack.push(n);
  }
  const render = (n) => {
    const items = [...n.inline.map((i) => ({ at: i.time, inline: i })), ...kids.get(n).map((c) => ({ at: c.start, call: c }))].sort((a, b) => a.at - b.at);
    return el(
      'div',
      { class: `node${n.error ? ' failed' : ''}`, 'data-call': String(n.call) },
      el(
        'div',
        { class: 'head' },
        el('span', { class: 'name', text: n.name }),
        el('span', { text: `(${preview(n.args)})` }),
        n.error
          ? el('span', { class: 'err', text: ` raised ${n.error.type}: ${n.error.message}` })
          : el('span', { class: 'muted', text: n.ret !== undefined ? ` → ${n.ret}` : '' }),
        el('span', { class: 'muted', text: ` ${ms(n.duration)}` }),
        sourceLink(n.file, n.line),
      ),
      el(
        'div',
        { class: 'body' },
        ...items.map(({ inline: i, call }) =>
          call ? render(call) : el('div', { class: `inline ${i.kind}` }, el('span', { text: `${i.kind.replace('_', ' ')} ${i.text}` }), sourceLink(n.file, i.line)),
        ),
      ),
    );
  };
  return roots.map(render);
}

// ---- timeline: zoom with the wheel, pan by dragging, click a bar to open its trace ----
let pending = 0;
async function refreshTimeline() {
  const canvas = $('timeline');
  canvas.width = canvas.clientWidth * devicePixelRatio;
  const ticket = ++pending;
  const { from, to } = state.view;
  const answer = await api(`/api/timeline?from=${from}&to=${to}&px=${canvas.clientWidth}`);
  if (ticket !== pending) return;
  state.bars = answer;
  drawTimeline(canvas, answer, state.names, state.selectedTrace);
  canvas.dataset.bars = String(answer.bars.length);
  $('timeline-note').textContent = answer.hidden ? `(${answer.hidden} calls narrower than a pixel drawn as density; zoom in to see them)` : '';
}

function wireTimeline() {
  const canvas = $('timeline');
  let drag = null;
  canvas.addEventListener('wheel', (e) => {
    e.preventDefault();
    const { from, to } = state.view;
    const at = from + ((to - from) * e.offsetX) / canvas.clientWidth;
    const k = e.deltaY > 0 ? 1.25 : 0.8;
    state.view = { from: Math.max(0, at - (at - from) * k), to: at + (to - at) * k };
    refreshTimeline();
  });
  canvas.addEventListener('mousedown', (e) => (drag = { x: e.offsetX, view: { ...state.view }, moved: false }));
  canvas.addEventListener('mousemove', (e) => {
    if (!drag) return;
    const dx = ((e.offsetX - drag.x) * (drag.view.to - drag.view.from)) / canvas.clientWidth;
    if (Math.abs(e.offsetX - drag.x) > 3) drag.moved = true;
    state.view = { from: drag.view.from - dx, to: drag.view.to - dx };
    refreshTimeline();
  });
  canvas.addEventListener('mouseup', (e) => {
    const moved = drag?.moved;
    drag = null;
    if (moved || !state.bars) return;
    const bar = hitBar(canvas, state.bars, e.offsetX, e.offsetY);
    if (bar) openTrace(`index=${bar[6]}`);
  });
  addEventListener('resize', refreshTimeline);
}

function selectTab(id) {
  const pane = $(id);
  for (const sibling of pane.parentElement.querySelectorAll(':scope > .pane')) sibling.classList.toggle('active', sibling === pane);
  for (const button of pane.parentElement.querySelectorAll(':scope > .tabs button')) button.classList.toggle('active', button.dataset.tab === id);
}

async function main() {
  for (const button of document.querySelectorAll('.tabs button')) button.addEventListener('click', () => selectTab(button.dataset.tab));
  $('copy-mermaid').addEventListener('click', () => {
    $('mermaid').hidden = false;
    navigator.clipboard?.writeText(state.mermaid);
  });
  const [summary, functions] = await Promise.all([api('/api/summary'), api('/api/functions')]);
  state.summary = summary;
  state.functions = functions;
  state.names = [];
  for (const f of functions) if (f.fn >= 0) state.names[f.fn] = f.name;
  state.view = { from: 0, to: Math.max(1, summary.last - summary.first) };
  $('summary').textContent = `${summary.calls} calls · ${summary.traces} traces · ${summary.functions} functions · ${summary.files.map((f) => f.path).join(', ')}`;
  if (summary.speedscope) {
    const link = $('speedscope');
    link.hidden = false;
    link.href = `/speedscope/index.html#profileURL=${encodeURIComponent(`${location.origin}/api/speedscope`)}&title=${encodeURIComponent('telemetry')}`;
  }
  if (summary.skipped > 0) {
    const skipped = $('skipped');
    skipped.hidden = false;
    skipped.textContent = `${summary.skipped} lines skipped`;
    skipped.title = summary.files
      .map((f) => `${f.path}: ${f.malformed} malformed${f.malformedLines.length ? ` (lines ${f.malformedLines.join(', ')})` : ''}, ${f.unknownType} of unknown type, ${f.otherVersion ?? 0} of another schema version`)
      .join('\n');
  }
  // ?q=… opens the page already searching.
  const q = new URLSearchParams(location.search).get('q');
  if (q) {
    state.query = q;
    $('search').value = q;
  }
  let debounce;
  $('search').addEventListener('input', (e) => {
    clearTimeout(debounce);
    debounce = setTimeout(() => {
      state.query = e.target.value;
      showTraces();
      showFunctions();
    }, 150);
  });
  wireTimeline();
  showFunctions();
  await Promise.all([showTraces(), refreshTimeline()]);
  // ?fn=name&file=path (a code lens in VS Code): that function's calls.
  const params = new URLSearchParams(location.search);
  const wanted = params.get('fn');
  if (wanted) {
    const file = params.get('file');
    const match = functions.find((f) => f.name === wanted && (!file || f.file === file)) ?? functions.find((f) => f.name === wanted);
    if (match) {
      selectTab('functions-pane');
      await showCalls(match);
    }
  }
  document.body.dataset.ready = 'true';
}

main().catch((error) => {
  $('summary').textContent = `error: ${error.message}`;
});
