// A tiny inline-SVG chart kit for the load report: no scripts, no external resources, readable as
// an <img> (image/svg+xml) or inline in HTML.

export interface LineSeries {
  name: string;
  color: string;
  points: Array<[number, number]>;
  dashed?: boolean;
}

export interface ReferenceLine {
  value: number;
  label: string;
  color?: string;
}

export interface Bar {
  label: string;
  value: number;
  color: string;
}

export interface ColumnStack {
  x: number;
  parts: Array<{ value: number; color: string }>;
}

const WIDTH = 640;
const HEIGHT = 240;
const MARGIN = { top: 34, right: 16, bottom: 40, left: 62 };
const FONT = 'font-family="Helvetica, Arial, sans-serif"';
export const COLORS = { ok: '#2e7d32', failed: '#c62828', p50: '#1565c0', p95: '#ef6c00', p99: '#6a1b9a', max: '#757575', limit: '#c62828', neutral: '#455a64' };

export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

/** A "nice" axis maximum and tick step (1, 2 or 5 times a power of ten). */
export function niceScale(maxValue: number, ticks = 5): { max: number; step: number } {
  if (!(maxValue > 0)) return { max: 1, step: 0.2 };
  const rough = maxValue / ticks;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((candidate) => candidate >= rough) ?? 10 * power;
  return { max: Math.ceil(maxValue / step - 1e-9) * step, step };
}

function tickLabel(value: number): string {
  if (value === 0) return '0';
  if (Math.abs(value) >= 10_000) return `${(value / 1000).toFixed(0)}k`;
  if (Math.abs(value) >= 100) return value.toFixed(0);
  return Number(value.toPrecision(3)).toString();
}

interface Frame {
  parts: string[];
  x: (value: number) => number;
  y: (value: number) => number;
  plotWidth: number;
}

function frame(title: string, xLabel: string, yLabel: string, xMax: number, yMaxRaw: number, xMin = 0): Frame {
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const { max: yMax, step } = niceScale(yMaxRaw);
  const xSpan = xMax - xMin || 1;
  const x = (value: number): number => MARGIN.left + ((value - xMin) / xSpan) * plotWidth;
  const y = (value: number): number => MARGIN.top + plotHeight - (Math.min(value, yMax) / yMax) * plotHeight;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" ${FONT} font-size="11" role="img" aria-label="${escapeXml(title)}">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    `<text x="${MARGIN.left}" y="18" font-size="13" font-weight="bold" fill="#212121">${escapeXml(title)}</text>`,
  ];
  for (let tick = 0; tick <= yMax + 1e-9; tick += step) {
    const ty = y(tick).toFixed(1);
    parts.push(`<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${ty}" y2="${ty}" stroke="#e0e0e0"/>`);
    parts.push(`<text x="${MARGIN.left - 6}" y="${ty}" text-anchor="end" dominant-baseline="middle" fill="#616161">${tickLabel(tick)}</text>`);
  }
  const { step: xStep } = niceScale(xSpan, 8);
  for (let tick = Math.ceil(xMin / xStep) * xStep; tick <= xMax + 1e-9; tick += xStep) {
    parts.push(`<text x="${x(tick).toFixed(1)}" y="${HEIGHT - MARGIN.bottom + 14}" text-anchor="middle" fill="#616161">${tickLabel(tick)}</text>`);
  }
  parts.push(`<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y(0)}" y2="${y(0)}" stroke="#9e9e9e"/>`);
  parts.push(`<text x="${MARGIN.left + plotWidth / 2}" y="${HEIGHT - 6}" text-anchor="middle" fill="#424242">${escapeXml(xLabel)}</text>`);
  parts.push(`<text transform="translate(14 ${MARGIN.top + plotHeight / 2}) rotate(-90)" text-anchor="middle" fill="#424242">${escapeXml(yLabel)}</text>`);
  return { parts, x, y, plotWidth };
}

function legend(parts: string[], entries: Array<{ name: string; color: string; dashed?: boolean }>): void {
  let offset = WIDTH - MARGIN.right;
  for (const entry of [...entries].reverse()) {
    const width = 34 + entry.name.length * 6.5;
    offset -= width;
    parts.push(`<line x1="${offset}" x2="${offset + 16}" y1="14" y2="14" stroke="${entry.color}" stroke-width="3"${entry.dashed ? ' stroke-dasharray="5 3"' : ''}/>`);
    parts.push(`<text x="${offset + 20}" y="18" fill="#424242">${escapeXml(entry.name)}</text>`);
  }
}

function referenceLines(f: Frame, lines: ReferenceLine[]): void {
  for (const line of lines) {
    const ly = f.y(line.value).toFixed(1);
    const color = line.color ?? COLORS.limit;
    f.parts.push(`<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-dasharray="6 4" stroke-width="1.5"/>`);
    f.parts.push(`<text x="${WIDTH - MARGIN.right - 4}" y="${Number(ly) - 4}" text-anchor="end" fill="${color}">${escapeXml(line.label)}</text>`);
  }
}

export function lineChart(options: { title: string; xLabel: string; yLabel: string; series: LineSeries[]; references?: ReferenceLine[]; markers?: boolean }): string {
  const all = options.series.flatMap((series) => series.points);
  const xs = all.map(([px]) => px);
  const xMin = xs.length ? Math.min(...xs) : 0;
  const xMax = xs.length ? Math.max(...xs, xMin + 1) : 1;
  const yMax = Math.max(0, ...all.map(([, py]) => py), ...(options.references ?? []).map((line) => line.value));
  const f = frame(options.title, options.xLabel, options.yLabel, xMax, yMax * 1.05, xMin);
  referenceLines(f, options.references ?? []);
  for (const series of options.series) {
    if (series.points.length === 0) continue;
    const path = series.points.map(([px, py]) => `${f.x(px).toFixed(1)},${f.y(py).toFixed(1)}`).join(' ');
    f.parts.push(`<polyline points="${path}" fill="none" stroke="${series.color}" stroke-width="2"${series.dashed ? ' stroke-dasharray="5 3"' : ''}/>`);
    if (options.markers) {
      for (const [px, py] of series.points) f.parts.push(`<circle cx="${f.x(px).toFixed(1)}" cy="${f.y(py).toFixed(1)}" r="3" fill="${series.color}"/>`);
    }
  }
  legend(f.parts, options.series);
  f.parts.push('</svg>');
  return f.parts.join('');
}

/** Stacked columns, one per x (e.g. per second), with optional dashed reference lines. */
export function columnChart(options: { title: string; xLabel: string; yLabel: string; columns: ColumnStack[]; legend: Array<{ name: string; color: string }>; references?: ReferenceLine[] }): string {
  const xMax = Math.max(1, ...options.columns.map((column) => column.x + 1));
  const yMax = Math.max(0, ...options.columns.map((column) => column.parts.reduce((sum, part) => sum + part.value, 0)), ...(options.references ?? []).map((line) => line.value));
  const f = frame(options.title, options.xLabel, options.yLabel, xMax, yMax * 1.05);
  const columnWidth = Math.max(1, (f.plotWidth / xMax) * 0.85);
  for (const column of options.columns) {
    let base = 0;
    for (const part of column.parts) {
      if (part.value <= 0) continue;
      const top = f.y(base + part.value);
      f.parts.push(`<rect x="${f.x(column.x).toFixed(1)}" y="${top.toFixed(1)}" width="${columnWidth.toFixed(1)}" height="${(f.y(base) - top).toFixed(1)}" fill="${part.color}"/>`);
      base += part.value;
    }
  }
  referenceLines(f, options.references ?? []);
  legend(f.parts, [...options.legend, ...(options.references ?? []).map((line) => ({ name: line.label, color: line.color ?? COLORS.limit, dashed: true }))]);
  f.parts.push('</svg>');
  return f.parts.join('');
}

/** Horizontal bars with their values written at the end, e.g. latency percentiles. */
export function barChart(options: { title: string; unit: string; bars: Bar[]; references?: ReferenceLine[] }): string {
  const rowHeight = 24;
  const height = 44 + options.bars.length * rowHeight + 16;
  const left = Math.max(70, 14 + 6.5 * Math.max(0, ...options.bars.map((bar) => bar.label.length)));
  const right = 90;
  const plotWidth = WIDTH - left - right;
  const maxValue = Math.max(1e-9, ...options.bars.map((bar) => bar.value), ...(options.references ?? []).map((line) => line.value));
  const scale = (value: number): number => (value / maxValue) * plotWidth;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" ${FONT} font-size="11" role="img" aria-label="${escapeXml(options.title)}">`,
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    `<text x="${left}" y="18" font-size="13" font-weight="bold" fill="#212121">${escapeXml(options.title)}</text>`,
  ];
  options.bars.forEach((bar, index) => {
    const top = 34 + index * rowHeight;
    parts.push(`<text x="${left - 8}" y="${top + 12}" text-anchor="end" fill="#424242">${escapeXml(bar.label)}</text>`);
    parts.push(`<rect x="${left}" y="${top + 2}" width="${Math.max(1, scale(bar.value)).toFixed(1)}" height="${rowHeight - 6}" fill="${bar.color}"/>`);
    parts.push(`<text x="${(left + Math.max(1, scale(bar.value)) + 6).toFixed(1)}" y="${top + 12}" fill="#212121">${escapeXml(`${tickLabel(bar.value)} ${options.unit}`)}</text>`);
  });
  const bottom = 34 + options.bars.length * rowHeight;
  for (const line of options.references ?? []) {
    const lx = (left + scale(line.value)).toFixed(1);
    const color = line.color ?? COLORS.limit;
    parts.push(`<line x1="${lx}" x2="${lx}" y1="28" y2="${bottom}" stroke="${color}" stroke-dasharray="6 4" stroke-width="1.5"/>`);
    parts.push(`<text x="${lx}" y="${bottom + 12}" text-anchor="middle" fill="${color}">${escapeXml(line.label)}</text>`);
  }
  parts.push('</svg>');
  return parts.join('');
}
