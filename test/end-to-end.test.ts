/**
 * The whole path as a user types it: generate a small dataset, prepare it, train 2 epochs, export and
 * promote the bundle, score a CSV offline, serve on an ephemeral port and predict over HTTP.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, scratchDir, startCli, stop } from './cli-helpers.js';

describe('cardwatch end to end', () => {
  const cwd = scratchDir();
  let runId = '';

  beforeAll(() => {
    const gen = runCli(cwd, ['data', 'generate', '--rows', '30000', '--out', 'data/raw/small.csv']);
    expect(gen.status, gen.stderr).toBe(0);
    const prep = runCli(cwd, ['data', 'prepare', '--input', 'data/raw/small.csv']);
    expect(prep.status, prep.stderr).toBe(0);
    expect(prep.stdout).toMatch(/prepared [0-9a-f]{64}/);
  });

  it('trains 2 epochs and writes a complete run', () => {
    const train = runCli(cwd, ['train', 'training.epochs=2', 'training.workers=2']);
    expect(train.status, train.stderr).toBe(0);
    expect(train.stderr).toMatch(/epoch 2\/2/);
    runId = /run (run-\S+)/.exec(train.stdout)![1]!;
    const dir = join(cwd, 'runs', runId);
    for (const file of [
      'config.yaml',
      'metrics.jsonl',
      'evaluation.json',
      'model.json',
      'provenance.json',
      'run.json',
    ]) {
      expect(existsSync(join(dir, file)), file).toBe(true);
    }
    expect(readdirSync(join(dir, 'plots')).sort()).toEqual(['loss.svg', 'pr.svg', 'roc.svg', 'scores.svg']);
    const epochs = readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n');
    expect(epochs).toHaveLength(2);
    const evaluation = JSON.parse(readFileSync(join(dir, 'evaluation.json'), 'utf8')) as {
      threshold: { chosen_on: string };
      test: { roc_auc: number };
    };
    expect(evaluation.threshold.chosen_on).toBe('validation');
    // Even 2 epochs on 30k rows separate the shifted frauds far better than chance.
    expect(evaluation.test.roc_auc).toBeGreaterThan(0.8);
  });

  it('refuses a bad override with the key path and expected type', () => {
    const bad = runCli(cwd, ['train', 'training.lr=fast']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('training.lr: expected a number, got "fast"');
    expect(bad.stderr).not.toMatch(/\n\s+at /); // no stack trace without --verbose
  });

  it('exports, promotes and lists the bundle', () => {
    const exp = runCli(cwd, ['export', runId, '--promote']);
    expect(exp.status, exp.stderr).toBe(0);
    expect(exp.stdout).toMatch(/production → autoencoder-/);
    const list = runCli(cwd, ['models', 'list']);
    expect(list.status, list.stderr).toBe(0);
    expect(list.stdout).toContain('production');
  });

  it('scores a CSV offline, one output row per input row, bad rows explained', () => {
    const lines = readFileSync(join(cwd, 'data/raw/small.csv'), 'utf8').split('\n').slice(0, 11);
    lines[3] = lines[3]!.replace(/^([^,]*),([^,]*)/, '$1,abc'); // V1 of data row 3 is not a number
    writeFileSync(join(cwd, 'few.csv'), `${lines.join('\n')}\n`);
    const score = runCli(cwd, ['score', '--input', 'few.csv', '--output', 'out/scores.csv']);
    expect(score.status, score.stderr).toBe(0);
    const out = readFileSync(join(cwd, 'out/scores.csv'), 'utf8').trim().split('\n');
    expect(out[0]).toBe('row,score,is_fraud,error');
    expect(out).toHaveLength(11);
    expect(out[3]).toMatch(/^3,,,.*V1.*abc/);
    expect(out[1]).toMatch(/^1,[0-9.e-]+,[01],$/);
    expect(score.stdout).toMatch(/1 rows with errors/);
    // The int8 variant scores the same rows; its scores differ from float32 only by quantization error.
    const int8 = runCli(cwd, ['score', '--input', 'few.csv', '--output', 'out/int8.csv', '--engine', 'int8']);
    expect(int8.status, int8.stderr).toBe(0);
    expect(int8.stdout).toContain('(int8)');
    const int8Rows = readFileSync(join(cwd, 'out/int8.csv'), 'utf8').trim().split('\n');
    expect(int8Rows).toHaveLength(11);
    const f32 = Number(out[1]!.split(',')[1]);
    const q8 = Number(int8Rows[1]!.split(',')[1]);
    expect(Math.abs(q8 - f32)).toBeLessThan(0.25 * Math.max(f32, 0.1));
  });

  describe('serving', () => {
    let server: Awaited<ReturnType<typeof startCli>>;
    let url = '';
    const answered: string[] = [];
    beforeAll(async () => {
      // The default config writes the log on its writer thread; the queue bound comes from the config.
      server = await startCli(
        cwd,
        ['serve', '--port', '0', 'serve.prediction_log_queue=1234'],
        /serving model \S+ on (http:\/\/\S+)/,
      );
      url = server.match[1]!;
    });
    afterAll(async () => {
      if (server) await stop(server.child);
    });

    it('predicts over HTTP with the promoted model', async () => {
      const status = (await (await fetch(`${url}/`)).json()) as { model_version: string };
      expect(status.model_version).toMatch(/^autoencoder-/);
      const examples = JSON.parse(
        readFileSync(join(cwd, 'models', status.model_version, 'examples.json'), 'utf8'),
      ) as { fraud: number[][]; normal: number[][] };
      const v = (row: number[]) => row.slice(1, 29); // V1..V28 of a 30-column raw row
      const fraud = await fetch(`${url}/predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ features: v(examples.fraud[0]!) }),
      });
      expect(fraud.status).toBe(200);
      const verdict = (await fraud.json()) as { score: number; threshold: number; is_fraud: boolean };
      expect(verdict.is_fraud).toBe(verdict.score > verdict.threshold);
      const bad = await fetch(`${url}/predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ features: [1, 2, 3] }),
      });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { message: string }).message).toMatch(/28.*3/);
      answered.push((verdict as unknown as { prediction_id: string }).prediction_id);
    });

    it('exports the configured log queue bound for the queue alerts', async () => {
      const text = await (await fetch(`${url}/metrics`)).text();
      expect(text).toMatch(/^cardwatch_prediction_log_queue_capacity 1234$/m);
    });

    it('logs every answered prediction: after SIGTERM, predictions export lists them all', async () => {
      for (let i = 0; i < 20; i++) {
        const response = await fetch(`${url}/predict`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            features: Array.from({ length: 28 }, (_, j) => Math.sin(i + j)),
            transaction_id: `t${i}`,
          }),
        });
        expect(response.status).toBe(200);
        answered.push(((await response.json()) as { prediction_id: string }).prediction_id);
      }
      expect(await stop(server.child)).toBe(0);
      const exported = runCli(cwd, ['predictions', 'export', '--since', '1h', '-o', 'out/predictions.csv']);
      expect(exported.status, exported.stderr).toBe(0);
      const rows = readFileSync(join(cwd, 'out/predictions.csv'), 'utf8').trim().split('\n');
      expect(rows[0]).toMatch(/^prediction_id,created_at,transaction_id,model_version,engine,score/);
      const ids = new Set(rows.slice(1).map((row) => row.split(',')[0]));
      for (const id of answered) expect(ids.has(id), id).toBe(true);
      expect(rows.slice(1).filter((row) => /,t1[0-9]?,/.test(row)).length).toBe(11);
    });
  });
});
