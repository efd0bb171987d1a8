/**
 * File reading for the parse workers: each worker reads its own share of the file (in parallel, into
 * memory of its own: parsing from a SharedArrayBuffer measured ~40% slower in V8). Shares are cut at
 * plain byte offsets, and a line belongs to the share in which its first byte lies, so neighbours agree
 * on every line without talking to each other.
 *
 * Imports stay light: worker threads load this file.
 */
import { closeSync, openSync, readSync } from 'node:fs';

/** Extra bytes read past a share's end to finish its last line (more are read if that line is longer). */
const OVERREAD = 64 * 1024;

export interface OwnedLines {
  bytes: Uint8Array;
  /** The owned lines are `bytes[start, end)`. */
  start: number;
  end: number;
}

/** Reads `length` bytes at `position` into `target` at `offset`; returns how many were read (EOF: fewer). */
function readAt(fd: number, target: Uint8Array, offset: number, length: number, position: number): number {
  let done = 0;
  while (done < length) {
    const read = readSync(fd, target, offset + done, length - done, position + done);
    if (read === 0) break;
    done += read;
  }
  return done;
}

/**
 * The whole lines whose first byte lies in `[from, to)`, with `[bodyStart, bodyEnd)` the file's data
 * (after the header, before trailing newlines).
 */
export function readOwnedLines(
  path: string,
  from: number,
  to: number,
  bodyStart: number,
  bodyEnd: number,
): OwnedLines {
  // One byte before `from` tells whether a line starts exactly at `from`.
  const readFrom = from > bodyStart ? from - 1 : from;
  let bytes = new Uint8Array(Math.min(bodyEnd, to + OVERREAD) - readFrom);
  const fd = openSync(path, 'r');
  try {
    let length = readAt(fd, bytes, 0, bytes.length, readFrom);
    let start = 0;
    if (from > bodyStart) {
      const newline = bytes.indexOf(10);
      start = newline === -1 ? length : newline + 1;
    }
    if (readFrom + start >= to) return { bytes, start: 0, end: 0 };
    // The last owned line ends at the first newline at or after `to - 1` (or at the end of the data).
    const searchFrom = to - 1 - readFrom;
    let newline = bytes.indexOf(10, searchFrom);
    while (newline === -1 || newline >= length) {
      if (readFrom + length >= bodyEnd) return { bytes, start, end: length };
      const grown = new Uint8Array(Math.min(bodyEnd - readFrom, bytes.length * 2));
      grown.set(bytes.subarray(0, length));
      const read = readAt(fd, grown, length, grown.length - length, readFrom + length);
      const previous = length;
      bytes = grown;
      length += read;
      if (read === 0) return { bytes, start, end: length };
      newline = bytes.indexOf(10, Math.max(searchFrom, previous));
    }
    return { bytes, start, end: newline + 1 };
  } finally {
    closeSync(fd);
  }
}
