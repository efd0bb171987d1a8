/**
 * The WebAssembly SIMD backend of the kernels (interface and arithmetic contract in kernels.ts).
 *
 * Why: V8 does not vectorise JS, and the scalar register-blocked kernels topped out at ~1.5 GMAC/s on this
 * engine's small matrices (28/32/16 wide), most of a training step. The same products in f32x4 lanes run
 * about five times faster. The module is emitted at load time by wasm-encoder.ts (no toolchain), compiled
 * once per thread, and instantiated once per workspace with its own memory holding all the workspace's
 * buffers; the kernels receive byte offsets into it.
 *
 * The loops keep the contract of kernels.ts: each output element is accumulated in its own lane from 0 in
 * order of the summed index, with separate float32 multiply and add, whatever tile it falls in.
 */
import { CardwatchError } from '../util/errors.js';
import type { Code } from './wasm-encoder.js';
import {} from './wasm-encoder.js';
import {
  F32,
  FunctionBuilder,
  I32,
  V128,
  block,
  v128Xor,
  v128Or,
  i32x4Splat,
  i32x4ShrU,
  i32x4Shl,
  i32x4GeU,
  i32x4Add,
  f32DemoteF64,
  f64Sub,
  f64PromoteF32,
  f64Mul,
  f64Const0,
  f64Add,
  F64,
  br,
  brIf,
  encodeModule,
  f32Add,
  f32Const0,
  f32Gt,
  f32Load,
  f32Lt,
  f32Mul,
  f32Store,
  f32x4Add,
  f32x4Gt,
  f32x4Mul,
  f32x4Pmax,
  i32Add,
  i32And,
  i32Const,
  i32Eqz,
  i32LtS,
  i32DivU,
  i32Mul,
  i32Shl,
  i32Sub,
  ifThen,
  localGet,
  localSet,
  localTee,
  loop,
  select,
  seq,
  v128And,
  v128Load,
  v128Load32Splat,
  v128Store,
  v128Zero,
} from './wasm-encoder.js';
import type { KernelBackend, Kernels, Vec } from './kernels.js';
import { sigmoidBackward, sigmoidForward } from './kernels-js.js';

/** gemm flags. */
const WITH_BIAS = 1;
const WITH_RELU = 2;

/**
 * Gemm tile shape: TILE_ROWS rows × TILE_VECTORS f32x4 vectors of columns. Each k step loads TILE_VECTORS
 * vectors of Q and broadcasts one value of P per row into TILE_ROWS × TILE_VECTORS accumulators, which stay
 * in registers (x64 has 16). Measured on the reference autoencoder's training step: 4×2 about 20% faster
 * than 4×1, and ahead of 2×2, 3×2, 2×4, 4×3 and 8×1 (noisy machine: differences under 5% were not
 * resolvable).
 */
const TILE_ROWS = 4;
const TILE_VECTORS = 2;

/** while (i < end) { body; i += step } */
function forRange(i: number, end: number, step: number, ...body: Code[]): Code {
  return block(
    loop(
      seq(localGet(i), localGet(end), i32LtS, i32Eqz, brIf(1)),
      ...body,
      seq(localGet(i), i32Const(step), i32Add, localSet(i), br(0)),
    ),
  );
}

/**
 * gemm(c, p, pI, pT, q, qT, m, k, n, bias, flags): C[i][j] = act(bias[j] + Σ_t P(i,t)·Q(t,j)) for i < m,
 * j < n, with P(i,t) at p + i·pI + t·pT, Q(t,j) at q + t·qT + 4j, C(i,j) at c + 4(i·n + j) (addresses and
 * strides in bytes). flags: WITH_BIAS, WITH_RELU. Rows go in tiles of TILE_ROWS then one by one; columns
 * in tiles of TILE_VECTORS vectors, then single vectors, then one by one (dims not multiples of 4).
 */
function gemmFunction(): { builder: FunctionBuilder; body: Code } {
  const f = new FunctionBuilder('gemm', 11);
  const [C, P, PI, PT, Q, QT, M, K, N, BIAS, FLAGS] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10] as const;
  const i = f.local(I32);
  const j = f.local(I32); // column, in bytes
  const rowBytes = f.local(I32);
  const vectorBytes = f.local(I32); // columns covered by whole vectors, in bytes
  const tileBytes = f.local(I32); // columns covered by whole tiles, in bytes
  const mTiled = f.local(I32); // rows covered by whole tiles
  const t = f.local(I32);
  const qp = f.local(I32);
  const cp = f.local(I32);
  const pr = Array.from({ length: TILE_ROWS }, () => f.local(I32));
  const acc = Array.from({ length: TILE_ROWS }, () =>
    Array.from({ length: TILE_VECTORS }, () => f.local(V128)),
  );
  const w = Array.from({ length: TILE_VECTORS }, () => f.local(V128));
  const splat = f.local(V128);
  const sacc = Array.from({ length: TILE_ROWS }, () => f.local(F32));
  const sw = f.local(F32);

  /** A tile of `rows` rows × `vectors` vectors (or one column when `scalar`) at row i, column j. */
  const tile = (rows: number, vectors: number, scalar: boolean): Code => {
    const code: Code[] = [];
    for (let r = 0; r < rows; r++) {
      if (scalar) code.push(f32Const0, localSet(sacc[r]!));
      else for (let v = 0; v < vectors; v++) code.push(v128Zero, localSet(acc[r]![v]!));
    }
    for (let r = 0; r < rows; r++) {
      code.push(
        localGet(P),
        localGet(i),
        i32Const(r),
        i32Add,
        localGet(PI),
        i32Mul,
        i32Add,
        localSet(pr[r]!),
      );
    }
    code.push(localGet(Q), localGet(j), i32Add, localSet(qp), localGet(K), localSet(t));
    const step: Code[] = [];
    if (scalar) step.push(localGet(qp), f32Load(), localSet(sw));
    else for (let v = 0; v < vectors; v++) step.push(localGet(qp), v128Load(16 * v), localSet(w[v]!));
    for (let r = 0; r < rows; r++) {
      const address = localGet(pr[r]!);
      if (scalar) {
        step.push(localGet(sacc[r]!), address, f32Load(), localGet(sw), f32Mul, f32Add, localSet(sacc[r]!));
      } else if (vectors === 1) {
        step.push(localGet(acc[r]![0]!), address, v128Load32Splat(), localGet(w[0]!), f32x4Mul, f32x4Add);
        step.push(localSet(acc[r]![0]!));
      } else {
        step.push(address, v128Load32Splat(), localSet(splat));
        for (let v = 0; v < vectors; v++) {
          step.push(
            localGet(acc[r]![v]!),
            localGet(splat),
            localGet(w[v]!),
            f32x4Mul,
            f32x4Add,
            localSet(acc[r]![v]!),
          );
        }
      }
    }
    for (let r = 0; r < rows; r++) {
      step.push(localGet(pr[r]!), localGet(PT), i32Add, localSet(pr[r]!));
    }
    step.push(localGet(qp), localGet(QT), i32Add, localSet(qp));
    // if (t != 0) do { step } while (--t != 0)
    code.push(
      block(
        seq(localGet(t), i32Eqz, brIf(0)),
        loop(...step, seq(localGet(t), i32Const(1), i32Sub, localTee(t), brIf(0))),
      ),
    );
    for (let r = 0; r < rows; r++) {
      code.push(
        seq(localGet(C), localGet(i), i32Const(r), i32Add, localGet(rowBytes), i32Mul, i32Add),
        seq(localGet(j), i32Add, localSet(cp)),
      );
      if (scalar) {
        const s = sacc[r]!;
        code.push(
          seq(localGet(FLAGS), i32Const(WITH_BIAS), i32And),
          ifThen(localGet(s), localGet(BIAS), localGet(j), i32Add, f32Load(), f32Add, localSet(s)),
          seq(localGet(FLAGS), i32Const(WITH_RELU), i32And),
          // relu: s < 0 ? 0 : s (the lanes' pmax(s, 0)): NaN and −0 pass through as in the JS backend.
          ifThen(f32Const0, localGet(s), localGet(s), f32Const0, f32Lt, select, localSet(s)),
          seq(localGet(cp), localGet(s), f32Store()),
        );
        continue;
      }
      for (let v = 0; v < vectors; v++) {
        const a = acc[r]![v]!;
        code.push(
          seq(localGet(FLAGS), i32Const(WITH_BIAS), i32And),
          ifThen(localGet(a), localGet(BIAS), localGet(j), i32Add, v128Load(16 * v), f32x4Add, localSet(a)),
          seq(localGet(FLAGS), i32Const(WITH_RELU), i32And),
          ifThen(localGet(a), v128Zero, f32x4Pmax, localSet(a)),
          seq(localGet(cp), localGet(a), v128Store(16 * v)),
        );
      }
    }
    return seq(...code);
  };

  /** All column tiles of the rows starting at i. */
  const columns = (rows: number): Code =>
    seq(
      i32Const(0),
      localSet(j),
      TILE_VECTORS > 1 ? forRange(j, tileBytes, 16 * TILE_VECTORS, tile(rows, TILE_VECTORS, false)) : [],
      forRange(j, vectorBytes, 16, tile(rows, 1, false)),
      forRange(j, rowBytes, 4, tile(rows, 1, true)),
    );

  const body = seq(
    seq(localGet(N), i32Const(2), i32Shl, localSet(rowBytes)),
    seq(localGet(N), i32Const(-4), i32And, i32Const(2), i32Shl, localSet(vectorBytes)),
    // Whole tiles (a division, so that tile sizes need not be powers of 2).
    seq(
      localGet(N),
      i32Const(4 * TILE_VECTORS),
      i32DivU,
      i32Const(16 * TILE_VECTORS),
      i32Mul,
      localSet(tileBytes),
    ),
    seq(localGet(M), i32Const(TILE_ROWS), i32DivU, i32Const(TILE_ROWS), i32Mul, localSet(mTiled)),
    seq(i32Const(0), localSet(i)),
    forRange(i, mTiled, TILE_ROWS, columns(TILE_ROWS)),
    forRange(i, M, 1, columns(1)),
  );
  return { builder: f, body };
}

/**
 * An element-wise function over the first `n` floats (n: the index of its parameter): `make` returns the
 * code for one whole f32x4 and for one float, both addressing element byte offset `o` (a local), run over
 * the whole vectors then over the rest.
 */
function elementwise(
  name: string,
  paramCount: number,
  n: number,
  make: (f: FunctionBuilder, o: number) => { vector: Code; scalar: Code },
): { builder: FunctionBuilder; body: Code } {
  const f = new FunctionBuilder(name, paramCount);
  const o = f.local(I32);
  const vectorEnd = f.local(I32);
  const end = f.local(I32);
  const { vector, scalar } = make(f, o);
  const body = seq(
    seq(localGet(n), i32Const(2), i32Shl, localSet(end)),
    seq(localGet(n), i32Const(-4), i32And, i32Const(2), i32Shl, localSet(vectorEnd)),
    seq(i32Const(0), localSet(o)),
    forRange(o, vectorEnd, 16, vector),
    forRange(o, end, 4, scalar),
  );
  return { builder: f, body };
}

/** The address param + o on the stack. */
const at = (param: number, o: number): Code => seq(localGet(param), localGet(o), i32Add);

/** relu(x, n, out): out = x < 0 ? 0 : x. */
function reluFunction(): { builder: FunctionBuilder; body: Code } {
  const [X, N, OUT] = [0, 1, 2] as const;
  return elementwise('relu', 3, N, (f, o) => {
    const s = f.local(F32);
    return {
      vector: seq(at(OUT, o), at(X, o), v128Load(), v128Zero, f32x4Pmax, v128Store()),
      scalar: seq(
        seq(at(X, o), f32Load(), localSet(s)),
        seq(at(OUT, o), f32Const0, localGet(s), localGet(s), f32Const0, f32Lt, select, f32Store()),
      ),
    };
  });
}

/** reluBackward(y, delta, n): delta = y > 0 ? delta : 0 (so NaN outputs pass no gradient, as in JS). */
function reluBackwardFunction(): { builder: FunctionBuilder; body: Code } {
  const [Y, DELTA, N] = [0, 1, 2] as const;
  return elementwise('reluBackward', 3, N, (_f, o) => ({
    vector: seq(
      at(DELTA, o),
      seq(at(DELTA, o), v128Load()),
      seq(at(Y, o), v128Load(), v128Zero, f32x4Gt),
      v128And,
      v128Store(),
    ),
    scalar: seq(
      at(DELTA, o),
      seq(at(DELTA, o), f32Load()),
      f32Const0,
      seq(at(Y, o), f32Load(), f32Const0, f32Gt),
      select,
      f32Store(),
    ),
  }));
}

/** multiply(a, b, n, out): out = a·b. */
function multiplyFunction(): { builder: FunctionBuilder; body: Code } {
  const [A, B, N, OUT] = [0, 1, 2, 3] as const;
  return elementwise('multiply', 4, N, (_f, o) => ({
    vector: seq(at(OUT, o), at(A, o), v128Load(), at(B, o), v128Load(), f32x4Mul, v128Store()),
    scalar: seq(at(OUT, o), at(A, o), f32Load(), at(B, o), f32Load(), f32Mul, f32Store()),
  }));
}

/** columnSums(a, rows, n, out): out[j] = Σ_r a[r][j] (the bias gradient), accumulated in order of r. */
function columnSumsFunction(): { builder: FunctionBuilder; body: Code } {
  const f = new FunctionBuilder('columnSums', 4);
  const [A, ROWS, N, OUT] = [0, 1, 2, 3] as const;
  const j = f.local(I32);
  const rowBytes = f.local(I32);
  const vectorBytes = f.local(I32);
  const p = f.local(I32);
  const r = f.local(I32);
  const acc = f.local(V128);
  const sacc = f.local(F32);
  const column = (scalar: boolean): Code =>
    seq(
      scalar ? seq(f32Const0, localSet(sacc)) : seq(v128Zero, localSet(acc)),
      seq(localGet(A), localGet(j), i32Add, localSet(p)),
      seq(i32Const(0), localSet(r)),
      forRange(
        r,
        ROWS,
        1,
        scalar
          ? seq(localGet(sacc), localGet(p), f32Load(), f32Add, localSet(sacc))
          : seq(localGet(acc), localGet(p), v128Load(), f32x4Add, localSet(acc)),
        seq(localGet(p), localGet(rowBytes), i32Add, localSet(p)),
      ),
      scalar ? seq(at(OUT, j), localGet(sacc), f32Store()) : seq(at(OUT, j), localGet(acc), v128Store()),
    );
  const body = seq(
    seq(localGet(N), i32Const(2), i32Shl, localSet(rowBytes)),
    seq(localGet(N), i32Const(-4), i32And, i32Const(2), i32Shl, localSet(vectorBytes)),
    seq(i32Const(0), localSet(j)),
    forRange(j, vectorBytes, 16, column(false)),
    forRange(j, rowBytes, 4, column(true)),
  );
  return { builder: f, body };
}

/**
 * dropoutMask(mask, n, threshold, scaleBits, state): mask[i] = t ≥ threshold (unsigned) ? scale : 0, where
 * t is the next output of the sfc32 generator in lane i mod 4 (four generators run side by side in i32x4
 * lanes; `state` holds their a, b, c, d vectors), scale the float32 with bits `scaleBits`. Whole vectors
 * only: it writes up to the next multiple of 4 elements, within the buffer's 16-byte padding.
 */
function dropoutMaskFunction(): { builder: FunctionBuilder; body: Code } {
  const f = new FunctionBuilder('dropoutMask', 5);
  const [MASK, N, THRESHOLD, SCALE_BITS, STATE] = [0, 1, 2, 3, 4] as const;
  const o = f.local(I32);
  const end = f.local(I32);
  const vectors = (): number => f.local(V128);
  const [a, b, c, d, t] = [vectors(), vectors(), vectors(), vectors(), vectors()];
  const [threshold, scale, one] = [vectors(), vectors(), vectors()];
  const body = seq(
    seq(localGet(STATE), v128Load(0), localSet(a), localGet(STATE), v128Load(16), localSet(b)),
    seq(localGet(STATE), v128Load(32), localSet(c), localGet(STATE), v128Load(48), localSet(d)),
    seq(localGet(THRESHOLD), i32x4Splat, localSet(threshold)),
    seq(localGet(SCALE_BITS), i32x4Splat, localSet(scale)),
    seq(i32Const(1), i32x4Splat, localSet(one)),
    seq(localGet(N), i32Const(2), i32Shl, localSet(end)),
    seq(i32Const(0), localSet(o)),
    forRange(
      o,
      end,
      16,
      // t = a + b + d; d += 1; a = b ^ (b >>> 9); b = c + (c << 3); c = rotl(c, 21) + t
      seq(localGet(a), localGet(b), i32x4Add, localGet(d), i32x4Add, localSet(t)),
      seq(localGet(d), localGet(one), i32x4Add, localSet(d)),
      seq(localGet(b), localGet(b), i32Const(9), i32x4ShrU, v128Xor, localSet(a)),
      seq(localGet(c), localGet(c), i32Const(3), i32x4Shl, i32x4Add, localSet(b)),
      seq(localGet(c), i32Const(21), i32x4Shl, localGet(c), i32Const(11), i32x4ShrU, v128Or),
      seq(localGet(t), i32x4Add, localSet(c)),
      seq(at(MASK, o), localGet(scale), localGet(t), localGet(threshold), i32x4GeU, v128And, v128Store()),
    ),
  );
  return { builder: f, body };
}

/**
 * mseLoss(output, target, n, grad, withGrad) → Σ (output − target)² in float64, in order (as JS sums it),
 * and when withGrad ≠ 0, grad = 2(output − target) rounded to float32.
 */
function mseLossFunction(): { builder: FunctionBuilder; body: Code } {
  const f = new FunctionBuilder('mseLoss', 5, F64);
  const [OUT, TARGET, N, GRAD, WITH_GRAD] = [0, 1, 2, 3, 4] as const;
  const o = f.local(I32);
  const end = f.local(I32);
  const diff = f.local(F64);
  const sum = f.local(F64);
  const element = (withGrad: boolean): Code =>
    seq(
      seq(
        at(OUT, o),
        f32Load(),
        f64PromoteF32,
        at(TARGET, o),
        f32Load(),
        f64PromoteF32,
        f64Sub,
        localSet(diff),
      ),
      seq(localGet(sum), localGet(diff), localGet(diff), f64Mul, f64Add, localSet(sum)),
      withGrad ? seq(at(GRAD, o), localGet(diff), localGet(diff), f64Add, f32DemoteF64, f32Store()) : [],
    );
  const body = seq(
    seq(f64Const0, localSet(sum)),
    seq(localGet(N), i32Const(2), i32Shl, localSet(end)),
    seq(i32Const(0), localSet(o)),
    // Two copies of the loop rather than a test per element.
    seq(localGet(WITH_GRAD), i32Eqz),
    ifThen(forRange(o, end, 4, element(false))),
    forRange(o, end, 4, element(true)),
    localGet(sum),
  );
  return { builder: f, body };
}

/** The functions the module exports, as called from JS (every argument an i32). */
interface KernelExports {
  gemm(
    c: number,
    p: number,
    pI: number,
    pT: number,
    q: number,
    qT: number,
    m: number,
    k: number,
    n: number,
    bias: number,
    flags: number,
  ): void;
  relu(x: number, n: number, out: number): void;
  reluBackward(y: number, delta: number, n: number): void;
  multiply(a: number, b: number, n: number, out: number): void;
  columnSums(a: number, rows: number, n: number, out: number): void;
  dropoutMask(mask: number, n: number, threshold: number, scaleBits: number, state: number): void;
  mseLoss(output: number, target: number, n: number, grad: number, withGrad: number): number;
}

/** The part of the WebAssembly JS API used here (the project's `lib` has no WebAssembly typings). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number }) => WasmMemory;
}

const wasmApi = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

let moduleBytes: Uint8Array | null = null;
let compiled: object | null = null;

function kernelModuleBytes(): Uint8Array {
  moduleBytes ??= encodeModule([
    gemmFunction(),
    reluFunction(),
    reluBackwardFunction(),
    multiplyFunction(),
    columnSumsFunction(),
    dropoutMaskFunction(),
    mseLossFunction(),
  ]);
  return moduleBytes;
}

let supported: boolean | null = null;

/** Whether this runtime has WebAssembly with fixed-width SIMD (validates the kernel module once). */
export function wasmKernelsSupported(): boolean {
  supported ??= wasmApi !== undefined && wasmApi.validate(kernelModuleBytes());
  return supported;
}

const PAGE_BYTES = 65536;
const TWO_POW_32 = 4294967296;
/** Reinterprets a float32 as the i32 of its bits (the wasm functions take i32 arguments only). */
const scratchF32 = new Float32Array(1);
const scratchI32 = new Int32Array(scratchF32.buffer);

/** The WebAssembly SIMD kernels and their buffers, all in one linear memory of this instance. */
export const createWasmKernels: KernelBackend = (lengths) => {
  if (wasmApi === undefined || !wasmKernelsSupported()) {
    throw new CardwatchError(
      'INTERNAL',
      'WebAssembly SIMD is not supported by this runtime (CARDWATCH_NN_KERNELS=wasm)',
    );
  }
  // Synchronous compilation is fine in Node (no main-thread size limit) and happens once per thread.
  compiled ??= new wasmApi.Module(kernelModuleBytes());
  // Every buffer starts on a 16-byte boundary, so rows of multiple-of-4 widths are vector-aligned.
  const offsets: number[] = [];
  let top = 0;
  for (const length of lengths) {
    offsets.push(top);
    top += Math.ceil(length / 4) * 16;
  }
  // The backend's own scratch after the buffers: the dropout generators' state (4 vectors of 4 words).
  const stateOffset = top;
  top += 64;
  const memory = new wasmApi.Memory({ initial: Math.max(1, Math.ceil(top / PAGE_BYTES)) });
  const exports = new wasmApi.Instance(compiled, { env: { memory } }).exports as unknown as KernelExports;
  const heap = memory.buffer;
  const buffers = lengths.map((length, index) => new Float32Array(heap, offsets[index]!, length));
  const dropoutState = new Uint32Array(heap, stateOffset, 16);

  /** The byte offset of a buffer in this instance's memory (a foreign buffer would be silently misread). */
  const offset = (v: Vec): number => {
    if (v.buffer !== heap) {
      throw new CardwatchError('INTERNAL', 'wasm kernels were given a buffer from another memory');
    }
    return v.byteOffset;
  };

  const kernels: Kernels = {
    denseForward(x, rows, inDim, weightT, bias, outDim, activation, out) {
      const flags = WITH_BIAS | (activation === 'relu' ? WITH_RELU : 0);
      exports.gemm(
        offset(out),
        offset(x),
        inDim * 4,
        4,
        offset(weightT),
        outDim * 4,
        rows,
        inDim,
        outDim,
        offset(bias),
        flags,
      );
      if (activation === 'sigmoid') sigmoidForward(out, rows * outDim, out);
    },

    denseBackward(x, rows, inDim, weight, outDim, dz, weightGrad, biasGrad, dx) {
      exports.columnSums(offset(dz), rows, outDim, offset(biasGrad));
      // weightGrad[o][i] = Σ_r dz[r][o]·x[r][i]: P(o, r) = dz[r][o], Q(r, i) = x[r][i].
      exports.gemm(
        offset(weightGrad),
        offset(dz),
        4,
        outDim * 4,
        offset(x),
        inDim * 4,
        outDim,
        rows,
        inDim,
        0,
        0,
      );
      // dx[r][i] = Σ_o dz[r][o]·weight[o][i]: P(r, o) = dz[r][o], Q(o, i) = weight[o][i].
      if (dx !== null) {
        exports.gemm(
          offset(dx),
          offset(dz),
          outDim * 4,
          4,
          offset(weight),
          inDim * 4,
          rows,
          outDim,
          inDim,
          0,
          0,
        );
      }
    },

    activationForward(fn, x, n, out) {
      if (fn === 'relu') exports.relu(offset(x), n, offset(out));
      else sigmoidForward(x, n, out);
    },

    activationBackward(fn, y, delta, n) {
      if (fn === 'relu') exports.reluBackward(offset(y), offset(delta), n);
      else sigmoidBackward(y, delta, n);
    },

    multiply(a, b, n, out) {
      exports.multiply(offset(a), offset(b), n, offset(out));
    },

    dropoutMask(mask, n, rate, prng) {
      // Lane l's generator state (a, b, c, d) is four draws, lanes in order; the vectors are a, b, c, d.
      for (let lane = 0; lane < 4; lane++) {
        for (let word = 0; word < 4; word++) dropoutState[word * 4 + lane] = prng.nextUint32();
      }
      // t ≥ rate·2³² (a real number) ⇔ t ≥ ⌈rate·2³²⌉ for integer t; above 2³²−1 nothing is kept.
      const threshold = Math.ceil(rate * TWO_POW_32);
      if (threshold > 0xffffffff) {
        mask.fill(0, 0, n);
        return;
      }
      scratchF32[0] = 1 / (1 - rate);
      exports.dropoutMask(offset(mask), n, threshold | 0, scratchI32[0]!, dropoutState.byteOffset);
    },

    mseLoss(output, target, n, grad) {
      return exports.mseLoss(
        offset(output),
        offset(target),
        n,
        grad === null ? 0 : offset(grad),
        grad === null ? 0 : 1,
      );
    },
  };
  return { kernels, buffers };
};
