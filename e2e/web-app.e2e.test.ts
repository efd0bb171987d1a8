/**
 * The web app in a real browser (Debian's Chromium via playwright-core) against the real server, in process,
 * with a small trained model: score through the form and the samples, upload a CSV with bad rows, watch
 * monitoring under traffic, compare two runs, promote a model. Each page is saved to reports/screenshots/.
 */
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PredictResponse } from '../src/serve/routes/predict-schemas.js';
import { launchBrowser, openPage, screenshot, TABLET, type WatchedPage } from './browser.js';
import { ADMIN_KEY, createWorkspace, type Workspace } from './workspace.js';

interface Examples {
  columns: string[];
  normal: number[][];
  fraud: number[][];
}

let ws: Workspace;
let browser: Browser;
let examples: Examples;
const opened: WatchedPage[] = [];

/** Chromium logs every non-2xx fetch; the ones a test provokes on purpose are not app errors. */
const EXPECTED_HTTP_ERRORS = /Failed to load resource: the server responded with a status of (400|401|404)/;

async function open(hash: string, viewport?: { width: number; height: number }): Promise<Page> {
  const watched = await openPage(browser, `${ws.url}/ui/#/${hash}`, viewport);
  opened.push(watched);
  return watched.page;
}

function v1ToV28(row: readonly number[]): number[] {
  return examples.columns.flatMap((column, i) => (/^V\d+$/.test(column) ? [row[i] as number] : []));
}

async function predictDirect(row: readonly number[]): Promise<PredictResponse> {
  const res = await fetch(`${ws.url}/predict`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ features: v1ToV28(row) }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as PredictResponse;
}

function csvLine(row: readonly number[]): string {
  return row.map(String).join(',');
}

beforeAll(async () => {
  ws = await createWorkspace();
  browser = await launchBrowser();
  examples = (await (await fetch(`${ws.url}/api/examples`)).json()) as Examples;
  expect(examples.normal.length).toBeGreaterThan(0);
  expect(examples.fraud.length).toBeGreaterThan(0);
});

afterEach(async () => {
  for (const { page, errors } of opened.splice(0)) {
    await page.context().close();
    expect(errors.filter((e) => !EXPECTED_HTTP_ERRORS.test(e))).toEqual([]);
  }
});

afterAll(async () => {
  await browser?.close();
  await ws?.close();
});

describe('web app', () => {
  it('is where a browser opening / lands, and the API keeps its JSON status', async () => {
    const page = await open('score');
    await page.goto(`${ws.url}/`);
    expect(new URL(page.url()).pathname).toBe('/ui/');
    await expect.poll(() => page.locator('#served-model').textContent()).toContain(ws.bundleIds[0]);
    const api = await fetch(`${ws.url}/`);
    expect(((await api.json()) as { service: string }).service).toBe('cardwatch');
  });

  it('scores a transaction typed into the form and explains an invalid field in place', async () => {
    const page = await open('score');
    const row = examples.normal[0] as number[];
    const features = v1ToV28(row);
    for (const [i, value] of features.entries())
      await page.getByLabel(`V${i + 1}`, { exact: true }).fill(String(value));
    // One bad field: nothing is sent, the field says why, the text typed stays as typed.
    await page.getByLabel('V3', { exact: true }).fill('1.2.3');
    await page.getByRole('button', { name: 'Score transaction' }).click();
    const v3 = page.getByLabel('V3', { exact: true });
    await expect.poll(() => v3.getAttribute('aria-invalid')).toBe('true');
    const described = await v3.getAttribute('aria-describedby');
    expect(await page.locator(`#${described}`).textContent()).toContain('"1.2.3" is not a number');
    expect(await v3.inputValue()).toBe('1.2.3');
    await expect.poll(() => page.getByText('No verdict yet').count()).toBe(1);

    // Keyboard only: Enter in a field submits the form.
    await v3.fill(String(features[2]));
    await v3.press('Enter');
    const verdict = page.getByTestId('verdict');
    await verdict.waitFor();
    const expected = await predictDirect(row);
    expect(await verdict.locator('.verdict-label').textContent()).toBe(
      expected.is_fraud ? 'FRAUD' : 'LEGITIMATE',
    );
    expect(await verdict.locator('.risk').textContent()).toBe(`${expected.risk} risk`);
    expect(await v3.getAttribute('aria-invalid')).toBeNull();
    // Score vs threshold gauge and the top-features bar chart are drawn.
    expect(await verdict.locator('svg.gauge').getAttribute('aria-label')).toContain('threshold');
    await verdict.locator('canvas').first().waitFor();
    await screenshot(page, 'score');
  });

  it('scores both sample rows, matching what the API decides for them', async () => {
    const page = await open('score');
    for (const kind of ['fraud', 'normal'] as const) {
      await page.getByRole('button', { name: kind === 'fraud' ? 'Sample fraud' : 'Sample normal' }).click();
      const row = examples[kind][0] as number[];
      const expected = await predictDirect(row);
      // The form holds the sample's values, and the verdict is the API's for that row.
      // Shown as the shortest text with the same float32 value (what the model computes with).
      await expect
        .poll(async () => Math.fround(Number(await page.getByLabel('V1', { exact: true }).inputValue())))
        .toBe(Math.fround(row[1] as number));
      await expect
        .poll(() => page.getByTestId('verdict').locator('.verdict-label').textContent())
        .toBe(expected.is_fraud ? 'FRAUD' : 'LEGITIMATE');
      expect(await page.getByTestId('verdict').locator('.facts dd').first().textContent()).not.toBe('—');
      if (kind === 'fraud') {
        // The analyst confirms the outcome: it is stored as feedback for that prediction.
        await page.getByRole('button', { name: 'It was fraud' }).click();
        await expect
          .poll(() => page.locator('.feedback [role="status"]').textContent())
          .toBe('Recorded: fraud.');
        await screenshot(page, 'score-sample-fraud');
      }
    }
  });

  it('scores an uploaded CSV: good rows get verdicts, bad rows stay listed with the reason', async () => {
    const page = await open('score');
    const header = 'Time,' + Array.from({ length: 28 }, (_, i) => `V${i + 1}`).join(',') + ',Amount';
    expect(header.split(',')).toEqual(examples.columns);
    const good = [...examples.normal.slice(0, 3), ...examples.fraud.slice(0, 3)].map(csvLine);
    const badValue = csvLine(examples.normal[1] as number[]).replace(/^([^,]*),([^,]*)/, '$1,abc');
    const tooShort = '10,1,2,3';
    const lines = [good[0], good[1], badValue, good[2], good[3], tooShort, good[4], good[5]];
    await page.getByLabel('CSV file in the Kaggle schema').setInputFiles({
      name: 'few.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(`${header}\n${lines.join('\n')}\n`),
    });
    const table = page.locator('table.data');
    await table.waitFor();
    await expect.poll(() => table.locator('tbody tr').count()).toBe(8);
    expect(await page.locator('.summary-line').textContent()).toContain('2 not scored');
    const bad3 = table.locator('tr[data-row="3"]');
    expect(await bad3.locator('.pill').textContent()).toBe('not scored');
    expect(await bad3.locator('.error-text').textContent()).toMatch(/V1.*abc|abc.*V1/);
    expect(await bad3.locator('.source-line').textContent()).toContain(',abc,');
    expect(await table.locator('tr[data-row="6"] .error-text').textContent()).toMatch(
      /column|values|fields/i,
    );
    for (const row of [1, 2, 4, 5, 7, 8]) {
      expect(await table.locator(`tr[data-row="${row}"] .pill`).textContent()).toMatch(
        /^(FRAUD|legitimate)$/,
      );
    }

    // A scored row explains itself: its verdict card with the top features.
    await table.getByRole('button', { name: 'Explain row 5' }).click();
    const explained = page.locator('.explain-slot [data-testid="verdict"]');
    await explained.waitFor();
    expect(await explained.locator('.verdict-label').textContent()).toBe(
      (await table.locator('tr[data-row="5"] .pill').textContent()) === 'FRAUD' ? 'FRAUD' : 'LEGITIMATE',
    );
    await explained.locator('canvas').first().waitFor();

    // Filter by verdict, then sort by score (highest first).
    await page.getByLabel('Show').selectOption('error');
    await expect.poll(() => table.locator('tbody tr').count()).toBe(2);
    await page.getByLabel('Show').selectOption('all');
    await table.getByRole('button', { name: 'Score', exact: true }).click();
    const scores = await table
      .locator('tbody tr td.num')
      .evaluateAll((cells) => cells.filter((_, i) => i % 2 === 1).map((cell) => cell.textContent ?? ''));
    const numeric = scores.filter((s) => s !== '').map(Number);
    expect(numeric).toHaveLength(6);
    expect(numeric).toEqual([...numeric].sort((a, b) => b - a));

    // The download has one line per data row, bad ones included.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download results (CSV)' }).click(),
    ]);
    const saved = readFileSync(await download.path(), 'utf8')
      .trim()
      .split('\n');
    expect(saved[0]).toBe('row,status,is_fraud,score,risk,top_features,error_code,error');
    expect(saved).toHaveLength(9);
    expect(saved[3]).toMatch(/^3,error,/);
    await screenshot(page, 'score-batch');
  });

  it('shows live traffic on the monitoring page: rate, latency, alert rate, scores, drift and quality', async () => {
    let sent = 0;
    const send = async (): Promise<void> => {
      const kind = sent % 4 === 0 ? 'fraud' : 'normal';
      const rows = examples[kind];
      await predictDirect(rows[sent % rows.length] as number[]);
      sent += 1;
    };
    while (sent < 20) await send();
    // Traffic keeps flowing (about 50 requests/s) while the page polls, however fast or slow this machine is:
    // the rate between two readings is then above zero.
    let flowing = true;
    const background = (async () => {
      while (flowing) {
        await send();
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    try {
      const page = await open('monitoring');
      await expect
        .poll(async () => Number.parseFloat((await page.getByTestId('request-rate').textContent()) ?? ''), {
          timeout: 20_000,
        })
        .toBeGreaterThan(0);
      await expect.poll(() => page.locator('figure.chart canvas').count()).toBeGreaterThanOrEqual(4);
      const drift = await fetch(`${ws.url}/drift`);
      expect(drift.status).toBe(200); // predictions are logged: the monitoring module reports on them
      await page.getByTestId('drift-report').waitFor();
      await page.getByTestId('quality-report').waitFor();
      expect(Number(await page.locator('.tile-value').nth(3).textContent())).toBeGreaterThanOrEqual(20);
      await page.waitForTimeout(4500); // a few more readings, so the live charts show a trend
      await screenshot(page, 'monitoring');
    } finally {
      flowing = false;
      await background;
    }
  });

  it('says there is no drift report or quality yet instead of failing when monitoring has none', async () => {
    const watched = await openPage(browser, 'about:blank');
    opened.push(watched);
    const { page } = watched;
    // What the monitoring routes answer before there is anything to report on, and without the module.
    await page.route('**/drift*', (route) =>
      route.fulfill({
        status: 400,
        contentType: 'application/json',
        body: JSON.stringify({
          statusCode: 400,
          code: 'DATA_INVALID',
          error: 'Bad Request',
          message: 'no predictions in the window',
        }),
      }),
    );
    await page.route('**/quality*', (route) =>
      route.fulfill({
        status: 404,
        contentType: 'application/json',
        body: JSON.stringify({
          statusCode: 404,
          code: 'ROUTE_NOT_FOUND',
          error: 'Not Found',
          message: 'no route',
        }),
      }),
    );
    await page.goto(`${ws.url}/ui/#/monitoring`);
    await page.getByText('No drift report yet').waitFor();
    expect(await page.locator('.notice-empty').first().textContent()).toContain(
      'no predictions in the window',
    );
    await page.getByText('No quality figures yet').waitFor();
    expect(await page.locator('.notice-error').count()).toBe(0);
    await screenshot(page, 'monitoring-no-reports');
  });

  it('compares two runs: PR and ROC curves side by side, metrics with deltas, config differences', async () => {
    const page = await open('experiments');
    const table = page.getByTestId('runs-table');
    await table.waitFor();
    expect(await table.locator('tbody tr').count()).toBe(2);
    // The second run changed lr and hidden_dim; the table says so.
    expect(await table.textContent()).toContain('training.lr=0.003');
    await page.getByLabel(`Compare ${ws.runIds[0]}`).check();
    await page.getByLabel(`Compare ${ws.runIds[1]}`).check();
    await page.getByRole('button', { name: 'Compare the two selected runs' }).click();
    const charts = page.getByTestId('compare-charts');
    await charts.waitFor();
    await expect.poll(() => charts.locator('canvas').count()).toBe(3);
    const metrics = page.getByTestId('compare-metrics');
    expect(await metrics.textContent()).toContain('test AUPRC');
    expect(await page.locator('.compare-tables').textContent()).toContain('model.hidden_dim');
    // The loss curve of the latest run is shown.
    await page
      .getByText(/Loss per epoch/)
      .first()
      .waitFor();
    await screenshot(page, 'experiments');
  });

  it('lists the registry and promotes a model after confirmation with the admin key', async () => {
    const page = await open('models');
    const table = page.getByTestId('models-table');
    await table.waitFor();
    expect(await table.locator('tbody tr').count()).toBe(2);
    await page.getByText(/Manifest of/).waitFor();
    await screenshot(page, 'models');

    const target = ws.bundleIds[1];
    await page.getByRole('button', { name: `Promote ${target}` }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await dialog.getByLabel('Admin API key').fill('wrong-key');
    await dialog.getByRole('button', { name: 'Promote' }).click();
    await expect.poll(() => dialog.getByRole('alert').textContent()).toContain('admin key is wrong');
    await screenshot(page, 'models-promote-dialog');
    await dialog.getByLabel('Admin API key').fill(ADMIN_KEY);
    await dialog.getByRole('button', { name: 'Promote' }).click();
    await page.locator('.notice strong', { hasText: `production → ${target}` }).waitFor();
    await expect.poll(() => page.locator('#served-model').textContent()).toBe(`model ${target}`);
    expect(await page.getByRole('dialog').count()).toBe(0);
    // The server reloaded: it now scores with the promoted bundle.
    const model = (await (await fetch(`${ws.url}/model`)).json()) as { model_version: string };
    expect(model.model_version).toBe(target);
  });

  it('fits a tablet-width screen without horizontal scrolling', async () => {
    for (const hash of ['score', 'monitoring', 'experiments', 'models']) {
      const page = await open(hash, TABLET);
      await page.locator('main h1').waitFor();
      await page.waitForTimeout(300);
      const overflow = Number(
        await page.evaluate('document.documentElement.scrollWidth - window.innerWidth'),
      );
      expect(overflow, hash).toBeLessThanOrEqual(0);
      await screenshot(page, `${hash}-tablet`);
    }
  });
});
