import { describe, expect, it } from 'vitest';
import { isCardwatchError } from '../util/errors.js';
import { reloadableModelProvider } from './reloadable-provider.js';
import { FakeScorer } from './__fixtures__/fake-scorer.js';

function loader(...ids: string[]) {
  const made: FakeScorer[] = [];
  let next = 0;
  return {
    made,
    load: async () => {
      const scorer = new FakeScorer({ id: ids[next++] ?? `extra-${next}` });
      made.push(scorer);
      return scorer;
    },
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('reloadableModelProvider', () => {
  it('starts with the initial model, or none with the load error', () => {
    const scorer = new FakeScorer({ id: 'a' });
    expect(reloadableModelProvider({ load: loader().load, initial: scorer }).current()).toBe(scorer);
    const empty = reloadableModelProvider({ load: loader().load, initialError: 'no production alias' });
    expect(empty.current()).toBeNull();
    expect(empty.acquire()).toBeNull();
    expect(empty.loadError?.()).toBe('no production alias');
  });

  it('swaps at once but disposes the old model only after its last lease is released', async () => {
    const initial = new FakeScorer({ id: 'a' });
    const { load } = loader('b');
    const models = reloadableModelProvider({ load, initial });
    const held1 = models.acquire();
    const held2 = models.acquire();
    expect(held1?.scorer).toBe(initial);
    expect(models.inFlight()).toBe(2);

    const outcome = await models.reload();
    expect(outcome).toMatchObject({
      previousVersion: 'a',
      modelVersion: 'b',
      draining: 2,
      engines: ['float32'],
    });
    expect(models.current()?.manifest.id).toBe('b');
    expect(models.acquire()?.scorer.manifest.id).toBe('b'); // new requests get the new model
    expect(initial.disposed).toBe(false);

    held1?.release();
    await tick();
    expect(initial.disposed).toBe(false); // one request still holds it
    held2?.release();
    await tick();
    expect(initial.disposed).toBe(true);
  });

  it('disposes an idle old model right away', async () => {
    const initial = new FakeScorer({ id: 'a' });
    const models = reloadableModelProvider({ load: loader('b').load, initial });
    expect((await models.reload()).draining).toBe(0);
    await tick();
    expect(initial.disposed).toBe(true);
  });

  it('keeps the old model and says so when loading fails', async () => {
    const initial = new FakeScorer({ id: 'a' });
    const models = reloadableModelProvider({
      load: async () => {
        throw new Error('bundle ae-9 is damaged');
      },
      initial,
    });
    const error = await models.reload().catch((e: unknown) => e);
    expect(isCardwatchError(error) && error.code).toBe('RELOAD_FAILED');
    expect((error as Error).message).toBe(
      'could not load the new model: bundle ae-9 is damaged (still serving a)',
    );
    expect(models.current()).toBe(initial);
    expect(initial.disposed).toBe(false);
  });

  it('records the load error while there is no model, and clears it once one loads', async () => {
    let fail = true;
    const models = reloadableModelProvider({
      load: async () => {
        if (fail) throw new Error('alias production is missing');
        return new FakeScorer({ id: 'b' });
      },
    });
    await models.reload().catch(() => undefined);
    expect(models.loadError?.()).toBe('alias production is missing');
    fail = false;
    await models.reload();
    expect(models.loadError?.()).toBeNull();
    expect(models.current()?.manifest.id).toBe('b');
  });

  it('runs concurrent reloads one after the other', async () => {
    const { load, made } = loader('b', 'c');
    const models = reloadableModelProvider({ load, initial: new FakeScorer({ id: 'a' }) });
    const [first, second] = await Promise.all([models.reload(), models.reload()]);
    expect([first.previousVersion, first.modelVersion]).toEqual(['a', 'b']);
    expect([second.previousVersion, second.modelVersion]).toEqual(['b', 'c']);
    await tick();
    expect(made[0]?.disposed).toBe(true);
    expect(models.current()?.manifest.id).toBe('c');
  });

  it('close() waits for leases, disposes everything, and refuses later reloads', async () => {
    const initial = new FakeScorer({ id: 'a' });
    const models = reloadableModelProvider({ load: loader('b').load, initial });
    const lease = models.acquire();
    const closed = models.close();
    await tick();
    expect(initial.disposed).toBe(false);
    lease?.release();
    await closed;
    expect(initial.disposed).toBe(true);
    expect(models.current()).toBeNull();
    const error = await models.reload().catch((e: unknown) => e);
    expect(isCardwatchError(error) && error.code).toBe('SHUTTING_DOWN');
    await models.close(); // idempotent
  });

  it('reports a failing dispose without failing the swap', async () => {
    const initial = new FakeScorer({ id: 'a' });
    initial.dispose = async () => {
      throw new Error('ORT refused');
    };
    const reported: string[] = [];
    const models = reloadableModelProvider({
      load: loader('b').load,
      initial,
      onDisposeError: (error, version) => reported.push(`${version}: ${(error as Error).message}`),
    });
    await models.reload();
    await tick();
    expect(reported).toEqual(['a: ORT refused']);
  });

  it('never counts below zero: a stray release cannot make a later lease dispose early', async () => {
    const initial = new FakeScorer({ id: 'a' });
    const models = reloadableModelProvider({ load: loader('b').load, initial });
    const lease = models.acquire();
    lease?.release();
    lease?.release(); // stray: the count stays 0, not -1
    models.acquire(); // so this request counts as 1 and keeps the model alive
    expect(models.inFlight()).toBe(1);
    await models.reload();
    await tick();
    expect(initial.disposed).toBe(false);
  });
});
