import { describe, expect, it } from 'vitest';
import { fieldOfMessage, fieldProblem } from './score-form.js';

describe('fieldProblem', () => {
  it('accepts numbers as people type them', () => {
    for (const text of ['1', '-0.5', '+3', '.25', '1e-3', ' 2.5 ', '-1.2E+4'])
      expect(fieldProblem(text, true)).toBeNull();
  });

  it('says what is wrong with anything else, quoting the text', () => {
    expect(fieldProblem('', true)).toBe('required: enter a number');
    expect(fieldProblem('', false)).toBeNull();
    expect(fieldProblem('1.2.3', true)).toContain('"1.2.3" is not a number');
    expect(fieldProblem('abc', false)).toContain('"abc" is not a number');
    expect(fieldProblem('1e39', true)).toContain('float32');
  });
});

describe('fieldOfMessage', () => {
  it('maps API validation messages to the form field they are about', () => {
    expect(fieldOfMessage('features[3] must be a finite number, got "x"')).toBe('V4');
    expect(fieldOfMessage('body.features[27] must fit in float32')).toBe('V28');
    expect(fieldOfMessage('amount must be a finite number, got "x"')).toBe('Amount');
    expect(fieldOfMessage('time must fit in float32')).toBe('Time');
    expect(fieldOfMessage('this model needs amount: send it')).toBeNull();
  });
});
