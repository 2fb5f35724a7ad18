// A line chart in SVG, drawn by this code (no charting library): series of [x, y] points sharing
// one x axis (unix seconds) and one y axis starting at 0.

const NS = 'http://www.w3.org/2000/svg';

function el(tag, attrs) {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

export function lineChart(title, unit, series) {
  const W = 600, H = 160, L = 44, R = 8, T = 10, B = 20;
  const svg = el('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': title, preserveAspectRatio: 'none' });
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = series.flatMap((s) => s.points.map((p) => p[1]));
  const x0 = Math.min(...xs), x1 = Math.max(...xs);
  const y1 = Math.max(1e-9, ...ys) * 1.1;
  const sx = (x) => L + ((x - x0) / Math.max(1, x1 - x0)) * (W - L - R);
  const sy = (y) => H - B - (y / y1) * (H - T - B);
  svg.append(el('line', { class: 'axis', x1: L, y1: H - B, x2: W - R, y2: H - B }));
  svg.append(el('line', { class: 'axis', x1: L, y1: T, x2: L, y2: H - B }));
  for (const frac of [0, 0.5, 1]) {
    const v = (y1 / 1.1) * frac;
    const t = el('text', { x: 2, y: sy(v) + 4 });
    t.textContent = `${v < 10 ? v.toFixed(1) : Math.round(v)}${unit}`;
    svg.append(t);
  }
  const tl = el('text', { x: L, y: H - 4 });
  tl.textContent = new Date(x0 * 1000).toLocaleTimeString();
  const tr = el('text', { x: W - R - 60, y: H - 4 });
  tr.textContent = new Date(x1 * 1000).toLocaleTimeString();
  svg.append(tl, tr);
  series.forEach((s, i) => {
    if (!s.points.length) return;
    const d = s.points.map((p, j) => `${j ? 'L' : 'M'}${sx(p[0]).toFixed(1)},${sy(p[1]).toFixed(1)}`).join(' ');
    svg.append(el('path', { class: `l${i}`, d }));
  });
  const wrap = document.createElement('figure');
  wrap.className = 'chart';
  wrap.style.margin = '0';
  const cap = document.createElement('figcaption');
  cap.className = 'legend';
  const strong = document.createElement('strong');
  strong.textContent = `${title}  `;
  cap.append(strong);
  series.forEach((s, i) => {
    const k = document.createElement('span');
    k.className = `k${i}`;
    k.textContent = `— ${s.name}`;
    cap.append(k);
  });
  wrap.append(cap, svg);
  return wrap;
}
