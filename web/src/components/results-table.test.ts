import { describe, expect, it } from 'vitest';
import { resultsCsv } from './results-table.js';

describe('resultsCsv', () => {
  it('has one line per data row, bad rows with their code and message (quoted when needed)', () => {
    const csv = resultsCsv([
      {
        row: 1,
        source: '0,1,2',
        result: {
          row: 0,
          status: 'ok',
          prediction_id: 'p1',
          transaction_id: null,
          is_fraud: true,
          score: 5.5,
          risk: 'high',
          top_features: [
            { feature: 'V14', contribution: 3, share: 0.6 },
            { feature: 'V7', contribution: 2, share: 0.4 },
          ],
        },
      },
      {
        row: 2,
        source: '0,abc',
        result: {
          row: 1,
          status: 'error',
          transaction_id: null,
          error: { code: 'CSV_ROW', message: 'line 3, column V1: "abc" is not a number' },
        },
      },
    ]);
    expect(csv.split('\n')).toEqual([
      'row,status,is_fraud,score,risk,top_features,error_code,error',
      '1,ok,1,5.5,high,V14 V7,,',
      '2,error,,,,,CSV_ROW,"line 3, column V1: ""abc"" is not a number"',
      '',
    ]);
  });
});
