/** Number and date formatting shared by the pages. */

/** A score or metric with enough digits to compare: 4 significant digits, exponent when tiny or huge. */
export function num(value: number | null | undefined, digits = 4): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 1e6 || abs < 1e-4) return value.toExponential(2);
  return Number(value.toPrecision(digits)).toString();
}

export function pct(value: number | null | undefined, digits = 1): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return `${(value * 100).toFixed(digits)}%`;
}

export function seconds(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  if (value < 60) return `${value.toFixed(1)} s`;
  const minutes = Math.floor(value / 60);
  return `${minutes} min ${Math.round(value % 60)} s`;
}

/** `2026-11-26T23:56:50.123Z` → `2026-11-26 23:56` (UTC, as the run ids). */
export function date(iso: string | null | undefined): string {
  if (!iso) return '—';
  return iso.replace('T', ' ').slice(0, 16);
}

/**
 * The shortest decimal text that reads back as the same float32: the model computes in float32, so a sample
 * row shown as `-3.043383` scores exactly like `-3.0433828830718994`, and fits in its input.
 * @example float32Text(0.10000000149011612) // '0.1'
 */
export function float32Text(value: number): string {
  const target = Math.fround(value);
  for (let digits = 1; digits < 9; digits++) {
    const text = String(Number(target.toPrecision(digits)));
    if (Math.fround(Number(text)) === target) return text;
  }
  return String(target);
}
