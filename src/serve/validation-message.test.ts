import { describe, it, expect } from 'vitest';
import {
  describeValidationIssues,
  describeValue,
  formatIssuePath,
  MAX_LISTED_ISSUES,
} from './validation-message.js';

describe('formatIssuePath', () => {
  it.each([
    ['/features/3', 'features[3]'],
    ['/features', 'features'],
    ['/a/b/0/c', 'a.b[0].c'],
    ['/', 'body'],
    ['', 'body'],
  ])('%s → %s', (path, label) => {
    expect(formatIssuePath(path, 'body')).toBe(label);
  });
});

describe('describeValidationIssues', () => {
  it('prefixes each predicate with its path', () => {
    const message = describeValidationIssues(
      [
        { instancePath: '/features/1', message: 'must be a finite number, got null' },
        { instancePath: '/', message: 'has unknown field "x"' },
      ],
      'body',
    );
    expect(message).toBe('features[1] must be a finite number, got null; body has unknown field "x"');
  });

  it(`lists at most ${MAX_LISTED_ISSUES} issues and counts the rest`, () => {
    const issues = Array.from({ length: 5 }, (_, i) => ({
      instancePath: `/features/${i}`,
      message: 'is bad',
    }));
    expect(describeValidationIssues(issues, 'body')).toBe(
      'features[0] is bad; features[1] is bad; features[2] is bad (and 2 more problems)',
    );
    expect(describeValidationIssues(issues.slice(0, 4), 'body')).toMatch(/\(and 1 more problem\)$/);
  });

  it('never returns an empty message', () => {
    expect(describeValidationIssues([], 'querystring')).toBe('querystring is invalid');
    expect(describeValidationIssues([{ instancePath: '/q' }], 'querystring')).toBe('q is invalid');
  });
});

describe('describeValue', () => {
  it.each([
    [undefined, 'nothing'],
    [null, 'null'],
    [[1], 'an array'],
    [{}, 'an object'],
    ['1.5', 'a string ("1.5")'],
    [Infinity, 'Infinity'],
    [-Infinity, '-Infinity'],
    [Number.NaN, 'NaN'],
    [false, 'false'],
  ])('%s → %s', (value, text) => {
    expect(describeValue(value)).toBe(text);
  });

  it('cuts long strings', () => {
    expect(describeValue('x'.repeat(1000))).toBe(`a string ("${'x'.repeat(20)}…")`);
  });
});
