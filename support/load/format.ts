/** Number formatting shared by the progress line, the summary and the charts. */
export function formatMs(milliseconds: number): string {
  if (milliseconds >= 10_000) return `${(milliseconds / 1000).toFixed(1)}s`;
  if (milliseconds >= 100) return `${milliseconds.toFixed(0)}ms`;
  if (milliseconds >= 1) return `${milliseconds.toFixed(1)}ms`;
  return `${milliseconds.toFixed(2)}ms`;
}

export function formatCount(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

export function formatRate(perSecond: number): string {
  return perSecond >= 100 ? perSecond.toFixed(0) : perSecond.toFixed(perSecond >= 10 ? 1 : 2);
}

export function formatPercent(fraction: number, digits = 1): string {
  return `${(fraction * 100).toFixed(digits)}%`;
}
