/**
 * Reads event files back: every event with its summaries decoded, CRCs checked. For tests and tools;
 * TensorBoard itself reads the same files.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeEvent, type EventProto } from './proto.js';
import { readRecords } from './record.js';

/** The events of one event file, in file order (the file-version event first). */
export function readEventFile(file: string): EventProto[] {
  const buf = fs.readFileSync(file);
  const { records, truncated } = readRecords(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), file);
  if (truncated) process.emitWarning(`readEventFile: ${file} ends in a truncated record (a writer stopped mid-write); it was skipped`);
  return records.map((r, i) => {
    try {
      return decodeEvent(r);
    } catch (e) {
      throw new Error(`readEventFile: ${file}: record ${i} is not a valid Event: ${(e as Error).message}`);
    }
  });
}

/** Event files directly in a directory, oldest name first. */
export function listEventFiles(logDir: string): string[] {
  return fs.readdirSync(logDir).filter((f) => f.includes('tfevents')).sort().map((f) => path.join(logDir, f));
}

export interface ScalarPoint { step: number; value: number; wallTime: number }

/** Scalars of every event file in a directory by tag, in write order. */
export function readScalars(logDir: string): Record<string, ScalarPoint[]> {
  const out: Record<string, ScalarPoint[]> = {};
  for (const f of listEventFiles(logDir)) {
    for (const e of readEventFile(f)) {
      for (const v of e.summary?.value ?? []) {
        const value = v.simpleValue ?? v.tensor?.floatVal?.[0] ?? v.tensor?.doubleVal?.[0];
        if (value !== undefined) (out[v.tag] ??= []).push({ step: e.step, value, wallTime: e.wallTime });
      }
    }
  }
  return out;
}
