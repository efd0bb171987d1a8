import { describe, expect, it } from 'vitest';
import { evaluateSplits } from './evaluate.js';
import { formatEvaluationSummary } from './summary.js';

describe('formatEvaluationSummary', () => {
  const report = evaluateSplits({
    validation: { scores: Float32Array.from([1, 2, 3, 9]), labels: Uint8Array.from([0, 0, 0, 1]) },
    test: { scores: Float32Array.from([1, 5, 2, 8, 0.5]), labels: Uint8Array.from([0, 0, 1, 1, 0]) },
    threshold: { strategy: 'normal_percentile', percentile: 50 },
  });
  const text = formatEvaluationSummary(report);
  const lines = text.split('\n');

  it('aligns validation and test columns', () => {
    expect(lines[0]).toMatch(/^metric\s+validation\s+test$/);
    const column = lines[0]!.indexOf('validation') + 'validation'.length;
    for (const line of lines.slice(1, 13)) expect(line[column - 1]).toMatch(/\d/);
  });

  it('shows the numbers of the report', () => {
    // Validation at threshold 2 (the median of normals 1, 2, 3): flagged 3 (N) and 9 (F).
    // Test: flagged 5 (N) and 8 (F); 2 (F) is missed, 1 and 0.5 (N) pass.
    expect(text).toMatch(/^TP\s+1\s+1\s+frauds flagged$/m);
    expect(text).toMatch(/^FP\s+1\s+1\s+false alarms$/m);
    expect(text).toMatch(/^TN\s+2\s+2$/m);
    expect(text).toMatch(/^FN\s+0\s+1\s+frauds missed$/m);
    expect(text).toMatch(/^ {2}prevalence\s+0\.2500\s+0\.4000$/m);
    expect(text).toContain('threshold 2: normal_percentile(50) on validation');
    expect(text).not.toContain('warning');
  });

  it('includes a threshold warning when there is one', () => {
    const warned = formatEvaluationSummary({
      ...report,
      threshold: { ...report.threshold, warning: 'fell back' },
    });
    expect(warned.split('\n').at(-1)).toBe('warning: fell back');
  });
});
