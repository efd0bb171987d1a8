/**
 * `drift.html`: a self-contained page rendered from a drift snapshot only (no recomputation, no scripts, no
 * external assets): the verdict, then one table row per feature sorted by drift with its histogram.
 */
import { escapeXml } from '../../evaluate/svg.js';
import type { DriftReport, FeatureDrift } from '../report-schema.js';
import { CURRENT_COLOR, histogramSvg, REFERENCE_COLOR } from './histogram-svg.js';

const STYLE = `
body{font-family:Helvetica,Arial,sans-serif;margin:24px;color:#222}
h1{font-size:22px;margin:0 0 4px} .meta{color:#555;font-size:13px;margin-bottom:16px}
.verdict{padding:12px 16px;border-radius:6px;font-size:16px;margin-bottom:18px}
.drift{background:#fde2e1;border:1px solid #d62728} .ok{background:#e3f4e1;border:1px solid #2ca02c}
table{border-collapse:collapse;font-size:13px} th,td{padding:6px 10px;border-bottom:1px solid #ddd;text-align:left;vertical-align:middle}
th{background:#f4f4f4} td.num{text-align:right;font-variant-numeric:tabular-nums}
.yes{color:#d62728;font-weight:bold} .no{color:#2ca02c}
.key span{display:inline-block;width:12px;height:12px;margin:0 4px 0 12px;vertical-align:middle}`;

function number(value: number | null, digits = 4): string {
  if (value === null) return '–';
  if (value !== 0 && Math.abs(value) < 10 ** -digits) return value.toExponential(2);
  return value.toFixed(digits);
}

function featureRow(feature: FeatureDrift): string {
  const name = feature.kind === 'prediction' ? `${feature.name} (prediction)` : feature.name;
  return (
    `<tr><td>${escapeXml(name)}</td>` +
    `<td class="${feature.drift ? 'yes' : 'no'}">${feature.drift ? 'drift' : 'no drift'}</td>` +
    `<td>${escapeXml(feature.method === 'ks' ? 'K-S p-value' : feature.method === 'wasserstein' ? 'Wasserstein (normed)' : feature.method)}</td>` +
    `<td class="num">${number(feature.score)}</td><td class="num">${number(feature.threshold, 2)}</td>` +
    `<td class="num">${number(feature.psi)}</td><td class="num">${number(feature.jensen_shannon)}</td>` +
    `<td class="num">${number(feature.reference.mean, 3)} / ${number(feature.current.mean, 3)}</td>` +
    `<td>${histogramSvg(feature)}</td></tr>`
  );
}

export function renderDriftHtml(report: DriftReport): string {
  const d = report.dataset;
  const verdict = d.drift
    ? `Dataset drift: ${d.drifted_features} of ${d.features} columns drifted (${(d.drift_share * 100).toFixed(1)}% ≥ ${(d.threshold * 100).toFixed(0)}%)`
    : `No dataset drift: ${d.drifted_features} of ${d.features} columns drifted (${(d.drift_share * 100).toFixed(1)}% < ${(d.threshold * 100).toFixed(0)}%)`;
  const current = report.current;
  const range =
    current.since !== undefined ? ` from ${current.since}${current.until ? ` to ${current.until}` : ''}` : '';
  const skipped =
    report.skipped.length === 0
      ? ''
      : `<p class="meta">Not compared: ${report.skipped.map((s) => `${escapeXml(s.name)} (${escapeXml(s.reason)})`).join('; ')}</p>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>cardwatch drift report</title><style>${STYLE}</style></head>
<body>
<h1>Data drift report</h1>
<div class="meta">model ${escapeXml(report.model_version ?? 'unknown')} · generated ${escapeXml(report.generated_at)}<br>
reference: ${escapeXml(report.reference.source)} (${report.reference.rows} rows) · current: ${escapeXml(current.source)} (${current.rows} rows${escapeXml(range)})</div>
<div class="verdict ${d.drift ? 'drift' : 'ok'}">${escapeXml(verdict)}</div>
<p class="key">Histograms on shared bins:<span style="background:${REFERENCE_COLOR}"></span>reference<span style="background:${CURRENT_COLOR}"></span>current</p>
<table>
<thead><tr><th>column</th><th>verdict</th><th>test</th><th>score</th><th>threshold</th><th>PSI</th><th>Jensen-Shannon</th><th>mean ref / cur</th><th>distribution</th></tr></thead>
<tbody>
${report.features.map(featureRow).join('\n')}
</tbody></table>
${skipped}
</body></html>
`;
}
