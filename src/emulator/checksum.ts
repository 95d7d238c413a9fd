/**
 * An order-independent checksum of a row set, to compare a sink table with the emulator's own
 * generator.
 *
 * Definition (compute it the same way over database rows):
 * 1. For each row, take its values in an agreed column order (e.g. `ts_code, trade_date, open, ...`).
 * 2. Canonical text: each value as `String(v)` (null/undefined as ''), joined with U+001F.
 * 3. Two 32-bit FNV-1a hashes of the text's UTF-16 code units: lane A with the standard offset
 *    basis 0x811c9dc5, lane B with basis 0x050c5d1f; both with prime 0x01000193.
 * 4. sumA and sumB are the sums of the lanes over all rows, modulo 2^32.
 * Result: `{ count, sum }` where `sum` is sumA then sumB as 16 lowercase hex digits.
 * Numbers read back from SQLite as JS numbers format identically (e.g. 12.3 and 12 stay `12.3`, `12`).
 */

const PRIME = 0x01000193;
const BASIS_A = 0x811c9dc5;
const BASIS_B = 0x050c5d1f;

export interface Checksum {
  readonly count: number;
  /** 16 hex digits: sum of lane A then sum of lane B, each mod 2^32. */
  readonly sum: string;
}

/** Canonical text of one row (see the module comment). */
export function canonicalRow(row: readonly unknown[]): string {
  let text = '';
  for (let i = 0; i < row.length; i++) {
    if (i > 0) text += '\u001f';
    const v = row[i];
    if (v !== null && v !== undefined) text += String(v);
  }
  return text;
}

/** The two lane hashes of one row. */
export function rowHashes(row: readonly unknown[]): [number, number] {
  const text = canonicalRow(row);
  let a = BASIS_A;
  let b = BASIS_B;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, PRIME);
    b = Math.imul(b ^ c, PRIME);
  }
  return [a >>> 0, b >>> 0];
}

/** Incremental checksum: add rows in any order, read `result()`. */
export class ChecksumBuilder {
  private count = 0;
  private sumA = 0;
  private sumB = 0;

  add(row: readonly unknown[]): void {
    const [a, b] = rowHashes(row);
    this.sumA = (this.sumA + a) >>> 0;
    this.sumB = (this.sumB + b) >>> 0;
    this.count++;
  }

  result(): Checksum {
    const hex = (n: number): string => n.toString(16).padStart(8, '0');
    return { count: this.count, sum: `${hex(this.sumA)}${hex(this.sumB)}` };
  }
}

/** Checksum of a set of rows (arrays of values in an agreed column order). */
export function checksum(rows: Iterable<readonly unknown[]>): Checksum {
  const b = new ChecksumBuilder();
  for (const r of rows) b.add(r);
  return b.result();
}
