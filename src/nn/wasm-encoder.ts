/**
 * A minimal WebAssembly binary encoder: just what kernels-wasm.ts needs to emit its SIMD kernels at load
 * time. Written here because no wasm toolchain is installed and none is wanted at build or install time: the
 * kernels are a few hundred bytes of code, generated from readable TypeScript, compiled by V8 on first use.
 *
 * Instructions are arrays of bytes (`Code`); a function body is their concatenation. Only the opcodes the
 * kernels use are defined. Reference: https://webassembly.github.io/spec/core/binary/ and the fixed-width
 * SIMD proposal (opcodes prefixed by 0xfd).
 */

export type Code = number[];

export const I32 = 0x7f;
export const F32 = 0x7d;
export const F64 = 0x7c;
export const V128 = 0x7b;
export type ValueType = typeof I32 | typeof F32 | typeof F64 | typeof V128;

function unsignedLeb(value: number): Code {
  const out: Code = [];
  let v = value >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

function signedLeb(value: number): Code {
  const out: Code = [];
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

/** Concatenates instruction sequences. */
export function seq(...parts: Code[]): Code {
  return parts.flat();
}

// Variables and constants.
export const localGet = (index: number): Code => [0x20, ...unsignedLeb(index)];
export const localSet = (index: number): Code => [0x21, ...unsignedLeb(index)];
export const localTee = (index: number): Code => [0x22, ...unsignedLeb(index)];
export const i32Const = (value: number): Code => [0x41, ...signedLeb(value)];
export const f32Const0: Code = [0x43, 0, 0, 0, 0];
export const f64Const0: Code = [0x44, 0, 0, 0, 0, 0, 0, 0, 0];

// i32 arithmetic and comparisons (operands on the stack).
export const i32Add: Code = [0x6a];
export const i32Sub: Code = [0x6b];
export const i32Mul: Code = [0x6c];
export const i32DivU: Code = [0x6e];
export const i32And: Code = [0x71];
export const i32Shl: Code = [0x74];
export const i32Xor: Code = [0x73];
export const i32ShrU: Code = [0x76];
export const i32Rotl: Code = [0x77];
export const i32LtS: Code = [0x48];
export const i32GeU: Code = [0x4f];
export const i32Eqz: Code = [0x45];

// Scalar f32.
const memArg = (alignLog2: number, offset: number): Code => [
  ...unsignedLeb(alignLog2),
  ...unsignedLeb(offset),
];
export const f32Load = (offset = 0): Code => [0x2a, ...memArg(2, offset)];
export const f32Store = (offset = 0): Code => [0x38, ...memArg(2, offset)];
export const f32Add: Code = [0x92];
export const f32Mul: Code = [0x94];
export const f32Lt: Code = [0x5d];
export const f32Gt: Code = [0x5e];
export const f32ReinterpretI32: Code = [0xbe];

// f64, and conversions.
export const f64Add: Code = [0xa0];
export const f64Sub: Code = [0xa1];
export const f64Mul: Code = [0xa2];
export const f64PromoteF32: Code = [0xbb];
export const f32DemoteF64: Code = [0xb6];
/** select(a, b, condition): a if condition ≠ 0 else b. */
export const select: Code = [0x1b];

// SIMD (f32x4 lanes). Alignment hints say 16 bytes for vectors, 4 for splats; they are hints only.
const simd = (opcode: number, ...immediates: Code): Code => [0xfd, ...unsignedLeb(opcode), ...immediates];
export const v128Load = (offset = 0): Code => simd(0x00, ...memArg(4, offset));
export const v128Store = (offset = 0): Code => simd(0x0b, ...memArg(4, offset));
/** Loads one f32 and broadcasts it to the four lanes. */
export const v128Load32Splat = (offset = 0): Code => simd(0x09, ...memArg(2, offset));
export const v128Zero: Code = simd(0x0c, ...new Array<number>(16).fill(0));
export const v128And: Code = simd(0x4e);
export const v128Or: Code = simd(0x50);
export const v128Xor: Code = simd(0x51);
export const i32x4Splat: Code = simd(0x11);
export const i32x4GeU: Code = simd(0x40);
/** Shifts take the vector, then an i32 count. */
export const i32x4Shl: Code = simd(0xab);
export const i32x4ShrU: Code = simd(0xad);
export const i32x4Add: Code = simd(0xae);
export const f32x4Gt: Code = simd(0x44);
export const f32x4Add: Code = simd(0xe4);
export const f32x4Mul: Code = simd(0xe6);
/** pmax(a, b) = a < b ? b : a per lane (one maxps on x64, unlike the NaN-propagating f32x4.max). */
export const f32x4Pmax: Code = simd(0xeb);

// Control flow. Blocks have no result: every kernel keeps its values in locals.
export const block = (...body: Code[]): Code => [0x02, 0x40, ...body.flat(), 0x0b];
export const loop = (...body: Code[]): Code => [0x03, 0x40, ...body.flat(), 0x0b];
export const ifThen = (...body: Code[]): Code => [0x04, 0x40, ...body.flat(), 0x0b];
export const br = (depth: number): Code => [0x0c, ...unsignedLeb(depth)];
export const brIf = (depth: number): Code => [0x0d, ...unsignedLeb(depth)];

const vector = (items: Code): Code => [...unsignedLeb(items.length), ...items];
const section = (id: number, body: Code): Code => [id, ...unsignedLeb(body.length), ...body];
const utf8 = (text: string): Code => vector([...new TextEncoder().encode(text)]);

/**
 * One function under construction: i32 parameters, an optional result, then locals declared as the body is
 * generated.
 */
export class FunctionBuilder {
  readonly name: string;
  readonly paramCount: number;
  readonly result: ValueType | null;
  private readonly localTypes: ValueType[] = [];

  constructor(name: string, paramCount: number, result: ValueType | null = null) {
    this.name = name;
    this.paramCount = paramCount;
    this.result = result;
  }

  /** The encoded function type: (i32 × paramCount) → (result?). */
  signature(): Code {
    return [
      0x60,
      ...vector(new Array<number>(this.paramCount).fill(I32)),
      ...vector(this.result === null ? [] : [this.result]),
    ];
  }

  /** Declares a local and returns its index. */
  local(type: ValueType): number {
    this.localTypes.push(type);
    return this.paramCount + this.localTypes.length - 1;
  }

  /** The encoded body: local declarations (runs of one type), the code, `end`. */
  encode(body: Code): Code {
    const runs: [number, ValueType][] = [];
    for (const type of this.localTypes) {
      const last = runs[runs.length - 1];
      if (last !== undefined && last[1] === type) last[0] += 1;
      else runs.push([1, type]);
    }
    const locals = [...unsignedLeb(runs.length), ...runs.flatMap(([n, t]) => [...unsignedLeb(n), t])];
    return [...locals, ...body, 0x0b];
  }
}

/**
 * A module that imports its memory as env.memory and exports `functions`, each given with its encoded
 * body (which leaves the result, if any, on the stack).
 */
export function encodeModule(functions: readonly { builder: FunctionBuilder; body: Code }[]): Uint8Array {
  // One type entry per distinct signature.
  const signatures = functions.map((f) => f.builder.signature());
  const keys = [...new Set(signatures.map((sig) => sig.join(',')))];
  const typeSection = section(1, [
    ...unsignedLeb(keys.length),
    ...keys.flatMap((key) => key.split(',').map(Number)),
  ]);
  // Memory import: limits flag 0 (minimum only), minimum 1 page.
  const importSection = section(2, [1, ...utf8('env'), ...utf8('memory'), 0x02, 0x00, 1]);
  const functionSection = section(3, [
    ...unsignedLeb(functions.length),
    ...signatures.flatMap((sig) => unsignedLeb(keys.indexOf(sig.join(',')))),
  ]);
  const exportSection = section(7, [
    ...unsignedLeb(functions.length),
    ...functions.flatMap((f, index) => [...utf8(f.builder.name), 0x00, ...unsignedLeb(index)]),
  ]);
  const codeSection = section(10, [
    ...unsignedLeb(functions.length),
    ...functions.flatMap((f) => vector(f.builder.encode(f.body))),
  ]);
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...typeSection,
    ...importSection,
    ...functionSection,
    ...exportSection,
    ...codeSection,
  ]);
}
