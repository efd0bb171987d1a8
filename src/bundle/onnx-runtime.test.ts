import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeTempDirs, tempDir, tinyGraph } from './__fixtures__/tiny-bundle.js';
import { buildDenseOnnxModel } from './onnx-graph.js';
import { onnx } from './onnx-protobuf.js';
import { openOnnxSession, type OnnxSession } from './onnx-runtime.js';
import { rejection } from '../util/__fixtures__/rejection.js';

afterAll(removeTempDirs);

/** y = x · W (W 2×2) with an input whose shape is not declared, so only ONNX Runtime can catch a bad width. */
function shapelessMatMul(): Uint8Array {
  const raw = new Uint8Array(16);
  new Float32Array(raw.buffer).set([1, 2, 3, 4]);
  const float = onnx.TensorProto.DataType.FLOAT;
  return onnx.ModelProto.encode({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'g',
      node: [{ opType: 'MatMul', input: ['x', 'w'], output: ['y'] }],
      initializer: [{ name: 'w', dims: [2, 2], dataType: float, rawData: raw }],
      input: [{ name: 'x', type: { tensorType: { elemType: float } } }],
      output: [{ name: 'y', type: { tensorType: { elemType: float } } }],
    },
  }).finish();
}

// Every behaviour holds both ways: the native session run in place (the default) and the public asynchronous API.
describe.each([true, false])('openOnnxSession (synchronous: %s)', (synchronous) => {
  const dir = tempDir('ort');
  let session: OnnxSession;
  beforeAll(async () => {
    session = await openOnnxSession(buildDenseOnnxModel(tinyGraph()), { intraOpThreads: 1, synchronous });
  });
  afterAll(async () => {
    await session.dispose();
  });

  it('exposes the input and output names, and whether it runs in place', () => {
    expect(session.inputNames).toEqual(['input']);
    expect([...session.outputNames].sort()).toEqual(['contributions', 'score']);
    // This onnxruntime-node's binding is the known one, so the default takes it.
    expect(session.synchronous).toBe(synchronous);
  });

  it('computes within the run call when synchronous, a loop turn later otherwise', async () => {
    const order: string[] = [];
    setImmediate(() => order.push('an immediate queued before the run'));
    await session.run({ input: { data: new Float32Array(6), dims: [2, 3] } });
    order.push('run resolved');
    await new Promise((resolve) => setImmediate(resolve));
    expect(order[0]).toBe(synchronous ? 'run resolved' : 'an immediate queued before the run');
  });

  it('opens a model from a file path', async () => {
    const path = join(dir, 'ok.onnx');
    writeFileSync(path, buildDenseOnnxModel(tinyGraph()));
    const fromFile = await openOnnxSession(path, { synchronous });
    const out = await fromFile.run({ input: { data: new Float32Array(6), dims: [2, 3] } });
    expect(out.score!.dims).toEqual([2]);
    await fromFile.dispose();
  });

  it('lists missing and unknown feeds', async () => {
    const missing = await rejection(session.run({}));
    expect(missing.code).toBe('INVALID_INPUT');
    expect(missing.message).toMatch(/missing: input/);
    const unknown = await rejection(
      session.run({
        input: { data: new Float32Array(3), dims: [1, 3] },
        extra: { data: new Float32Array(1), dims: [1] },
      }),
    );
    expect(unknown.message).toMatch(/not inputs of the model: extra/);
  });

  it('rejects dims that contradict the data or the declared shape', async () => {
    const sized = await rejection(session.run({ input: { data: new Float32Array(5), dims: [2, 3] } }));
    expect(sized.code).toBe('SHAPE_MISMATCH');
    expect(sized.message).toMatch(/5 values but dims \[2, 3\] need 6/);
    const declared = await rejection(session.run({ input: { data: new Float32Array(8), dims: [2, 4] } }));
    expect(declared.code).toBe('SHAPE_MISMATCH');
    expect(declared.message).toMatch(/dims \[2, 4\], the model expects \[N, 3\]/);
  });

  it('writes pre-allocated outputs in place, into views of a larger array', async () => {
    const x = new Float32Array([1, 2, 3, 4, 5, 6]);
    const plain = await session.run({ input: { data: x, dims: [2, 3] } });
    const scores = new Float32Array(4).fill(-1);
    const out = await session.run(
      { input: { data: x, dims: [2, 3] } },
      { score: { data: scores.subarray(1, 3), dims: [2] } },
    );
    expect(Array.from(scores)).toEqual([-1, ...Array.from(plain.score!.data), -1]);
    expect(Object.keys(out)).toEqual(['score']);
    const unknown = await rejection(
      session.run({ input: { data: x, dims: [2, 3] } }, { nope: { data: new Float32Array(2), dims: [2] } }),
    );
    expect(unknown.message).toMatch(/nope is not an output of the model/);
  });

  it('rethrows an ONNX Runtime failure as a CardwatchError naming the input dims', async () => {
    const shapeless = await openOnnxSession(shapelessMatMul(), { synchronous });
    const ok = await shapeless.run({ x: { data: new Float32Array([1, 1]), dims: [1, 2] } });
    expect(Array.from(ok.y!.data)).toEqual([4, 6]);
    const failure = await rejection(shapeless.run({ x: { data: new Float32Array(3), dims: [1, 3] } }));
    expect(failure.code).toBe('INTERNAL');
    expect(failure.message).toMatch(/x \[1, 3\]/);
    await shapeless.dispose();
  });

  it('reports a corrupt or missing model file as MODEL_CORRUPT naming it', async () => {
    const corrupt = join(dir, 'corrupt.onnx');
    writeFileSync(corrupt, 'this is not protobuf');
    const bad = await rejection(openOnnxSession(corrupt, { synchronous }));
    expect(bad.code).toBe('MODEL_CORRUPT');
    expect(bad.message).toContain(corrupt);
    const absent = await rejection(openOnnxSession(join(dir, 'absent.onnx'), { synchronous }));
    expect(absent.code).toBe('MODEL_CORRUPT');
    expect(absent.message).toContain('absent.onnx');
    const bytes = await rejection(openOnnxSession(new Uint8Array([1, 2, 3]), { synchronous }));
    expect(bytes.code).toBe('MODEL_CORRUPT');
  });

  it('refuses to run after dispose', async () => {
    const short = await openOnnxSession(buildDenseOnnxModel(tinyGraph()), { synchronous });
    await short.dispose();
    await short.dispose(); // idempotent
    const error = await rejection(short.run({ input: { data: new Float32Array(3), dims: [1, 3] } }));
    expect(error.message).toMatch(/disposed/);
  });
});

describe('the two ways of running', () => {
  it('give the very same outputs (one native session underneath)', async () => {
    const model = buildDenseOnnxModel(tinyGraph());
    const inPlace = await openOnnxSession(model);
    const deferred = await openOnnxSession(model, { synchronous: false });
    const x = Float32Array.from({ length: 300 }, (_, i) => Math.sin(i) * 3);
    const a = await inPlace.run({ input: { data: x, dims: [100, 3] } });
    const b = await deferred.run({ input: { data: x, dims: [100, 3] } });
    expect(Array.from(a.score!.data)).toEqual(Array.from(b.score!.data));
    expect(Array.from(a.contributions!.data)).toEqual(Array.from(b.contributions!.data));
    await inPlace.dispose();
    await deferred.dispose();
  });
});
