// Drawing for the trace viewer's page: the timeline on a canvas, and a selected trace's sequence
// diagram as SVG (plus the same diagram as Mermaid text, as the original tool drew it).
// Must never fetch anything nor touch the DOM beyond the canvas and the SVG it returns.
const SVG = 'http://www.w3.org/2000/svg';
const MAX_PARTICIPANTS = 12;
const MAX_MESSAGES = 300;

// Spread over blue..green..violet, never red: red means an error.
function hue(n) {
  return 40 + ((200 + n * 137.508) % 280);
}

/** Row height: as tall as fits, between 3 and 16 pixels. */
function rowHeight(canvas, rows) {
  return Math.max(3, Math.min(16, Math.floor(canvas.height / devicePixelRatio / Math.max(rows, 1))));
}

export function drawTimeline(canvas, { from, to, rows, bars, dense, width: columns }, names, selected) {
  const ctx = canvas.getContext('2d');
  const width = canvas.clientWidth;
  const height = canvas.height / devicePixelRatio;
  ctx.setTransform(devicePixelRatio, 0, 0, devicePixelRatio, 0, 0);
  ctx.clearRect(0, 0, width, height);
  const h = rowHeight(canvas, rows);
  const scale = width / Math.max(to - from, 1);
  ctx.font = '10px sans-serif';
  // Calls narrower than a pixel, counted per column and row: darker where more of them ran.
  for (const [column, row, count, failed] of dense ?? []) {
    const x = (column * width) / columns;
    const w = Math.max(1, width / columns);
    ctx.fillStyle = `rgba(63, 81, 181, ${Math.min(1, 0.25 + count / 8)})`;
    ctx.fillRect(x, row * h, w, h - 1);
    // Failures as a red share of the cell's height.
    if (failed) {
      ctx.fillStyle = '#e53935';
      ctx.fillRect(x, row * h, w, Math.max(1, ((h - 1) * failed) / count));
    }
  }
  ctx.textBaseline = 'middle';
  for (const [, start, duration, row, fn, failed, trace] of bars) {
    const x = (start - from) * scale;
    const w = Math.max(1, duration * scale);
    const y = row * h;
    if (y > height) continue;
    ctx.fillStyle = failed ? '#e53935' : `hsl(${hue(fn)} 55% 62%)`;
    ctx.fillRect(x, y, w, h - 1);
    if (trace === selected) {
      ctx.strokeStyle = '#000';
      ctx.lineWidth = 1.5;
      ctx.strokeRect(x, y, w, h - 1);
    }
    if (w > 40 && h >= 10) {
      ctx.fillStyle = '#000';
      ctx.save();
      ctx.beginPath();
      ctx.rect(x, y, w, h);
      ctx.clip();
      ctx.fillText(names[fn] ?? '?', Math.max(x, 0) + 2, y + h / 2);
      ctx.restore();
    }
  }
  ctx.fillStyle = '#555';
  ctx.fillText(`${((to - from) / 1e6).toFixed(3)} ms shown`, width - 110, height - 8);
}

/** The bar under a point, the deepest first. */
export function hitBar(canvas, { from, to, rows, bars }, x, y) {
  const h = rowHeight(canvas, rows);
  const row = Math.floor(y / h);
  const t = from + (x * (to - from)) / canvas.clientWidth;
  const slack = (3 * (to - from)) / canvas.clientWidth;
  return bars.find((b) => b[3] === row && b[1] - slack <= t && t <= b[1] + b[2] + slack);
}

// The messages of a trace: a call from the caller's lifeline to the callee's, and a return (or a
// raise) back after the callee's own calls. `nodes` are the call tree in pre-order with depths.
function messages(nodes) {
  const out = [];
  const stack = [];
  const close = (depth) => {
    while (stack.length && stack[stack.length - 1].depth >= depth) {
      const done = stack.pop();
      const caller = stack.length ? stack[stack.length - 1].name : 'caller';
      out.push({ from: done.name, to: caller, text: done.error ? `raise ${done.error.type}` : (done.ret ?? ''), ret: true, error: !!done.error });
    }
  };
  for (const n of nodes) {
    close(n.depth);
    const caller = stack.length ? stack[stack.length - 1].name : 'caller';
    const args = Object.entries(n.args ?? {}).map(([k, v]) => `${k}=${v}`).join(', ');
    out.push({ from: caller, to: n.name, text: `${n.name}(${args})`, ret: false, error: false });
    stack.push(n);
  }
  close(-1);
  return out;
}

function participants(list) {
  const names = ['caller'];
  for (const m of list) for (const p of [m.from, m.to]) if (!names.includes(p)) names.push(p);
  if (names.length <= MAX_PARTICIPANTS) return { names, of: (p) => p };
  const kept = names.slice(0, MAX_PARTICIPANTS - 1);
  return { names: [...kept, '… others'], of: (p) => (kept.includes(p) ? p : '… others') };
}

const clip = (text, n) => (text.length > n ? `${text.slice(0, n - 1)}…` : text);

export function sequenceSvg(nodes) {
  const all = messages(nodes);
  const list = all.slice(0, MAX_MESSAGES);
  const { names, of } = participants(list);
  const colW = 150;
  const rowH = 22;
  const top = 30;
  const width = names.length * colW + 20;
  const height = top + (list.length + 1) * rowH + (all.length > list.length ? rowH : 0);
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('width', String(width));
  svg.setAttribute('height', String(height));
  svg.setAttribute('data-messages', String(all.length));
  const add = (tag, attrs, text) => {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = text;
    svg.append(node);
    return node;
  };
  const defs = add('defs', {});
  const marker = document.createElementNS(SVG, 'marker');
  for (const [k, v] of Object.entries({ id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto' })) marker.setAttribute(k, String(v));
  const tip = document.createElementNS(SVG, 'path');
  tip.setAttribute('d', 'M0,0 L10,5 L0,10 z');
  marker.append(tip);
  defs.append(marker);
  const x = (name) => 10 + names.indexOf(of(name)) * colW + colW / 2;
  names.forEach((name) => {
    add('text', { x: x(name), y: 16, 'text-anchor': 'middle', 'font-weight': 'bold' }, clip(name, 22));
    add('line', { x1: x(name), y1: 22, x2: x(name), y2: height, stroke: '#bbb', 'stroke-dasharray': '2,3' });
  });
  list.forEach((m, i) => {
    const y = top + (i + 1) * rowH;
    const x1 = x(m.from);
    const x2 = x(m.to);
    const colour = m.error ? '#c62828' : m.ret ? '#607d8b' : '#1e88e5';
    if (x1 === x2) {
      add('path', { d: `M${x1},${y - 8} h24 v8 h-20`, fill: 'none', stroke: colour, 'marker-end': 'url(#arrow)' });
    } else {
      add('line', { x1, y1: y, x2, y2: y, stroke: colour, 'stroke-dasharray': m.ret ? '4,3' : '', 'marker-end': 'url(#arrow)' });
    }
    add('text', { x: Math.min(x1, x2) + 6, y: y - 4, fill: colour }, clip(m.text, Math.max(18, Math.floor(Math.abs(x2 - x1) / 6.5))));
  });
  if (all.length > list.length) add('text', { x: 10, y: height - 6, fill: '#777' }, `… ${all.length - list.length} more messages`);
  return svg;
}

export function mermaidText(nodes) {
  const list = messages(nodes).slice(0, MAX_MESSAGES);
  const { names, of } = participants(list);
  const id = (name) => `p${names.indexOf(of(name))}`;
  const safe = (text) => text.replace(/[;#\n]/g, ' ');
  return [
    'sequenceDiagram',
    ...names.map((n) => `  participant ${id(n)} as ${safe(n)}`),
    ...list.map((m) => `  ${id(m.from)}${m.ret ? '-->>' : '->>'}${id(m.to)}: ${safe(m.text) || ' '}`),
  ].join('\n');
}
