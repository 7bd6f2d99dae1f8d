// Ignite 0.4's Checkpoint over a disk saver, as MONAI's CheckpointSaver uses it: state dicts of the
// objects saved with torch.save to "{prefix}_{name}_{scoreName}={score}.pt" (name: the single object's
// key, else "checkpoint"), the best nSaved kept by score (older or worse files removed). Writes are atomic,
// and a file is removed only after its replacement is written, so a crash never leaves no checkpoint.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as torch from '@monai-ts/torch';
import type { Engine } from '../engines/engine.js';
import { pyFixed } from './py_format.js';
import { distributedRank } from './rank.js';

export interface StateDictLike {
  stateDict(): unknown;
}

export interface CheckpointItem {
  priority: number;
  filename: string;
}

export interface IgniteCheckpointOptions {
  toSave: Record<string, StateDictLike>;
  dirname: string;
  /** a fixed file name used for every save and removal (MONAI's _DiskSaver filename) */
  filename?: string | null;
  filenamePrefix?: string;
  scoreFunction: (engine: Engine) => number;
  scoreName: string;
  /** format scores with 4 decimals ("{:.4f}") rather than as integers */
  floatScore?: (score: number) => boolean;
  nSaved?: number | null;
  includeSelf?: boolean;
  greaterOrEqual?: boolean;
}

export class IgniteCheckpoint {
  readonly toSave: Record<string, StateDictLike>;
  readonly dirname: string;
  readonly fixedFilename: string | null;
  readonly filenamePrefix: string;
  readonly scoreFunction: (engine: Engine) => number;
  readonly scoreName: string;
  readonly nSaved: number | null;
  readonly includeSelf: boolean;
  readonly greaterOrEqual: boolean;
  private readonly floatScore: (score: number) => boolean;
  saved: CheckpointItem[] = [];

  constructor(o: IgniteCheckpointOptions) {
    this.toSave = o.toSave;
    this.dirname = o.dirname;
    this.fixedFilename = o.filename ?? null;
    this.filenamePrefix = o.filenamePrefix ?? '';
    this.scoreFunction = o.scoreFunction;
    this.scoreName = o.scoreName;
    this.nSaved = o.nSaved === undefined ? 1 : o.nSaved;
    this.includeSelf = o.includeSelf ?? false;
    this.greaterOrEqual = o.greaterOrEqual ?? false;
    this.floatScore = o.floatScore ?? (() => false);
    if (this.includeSelf && 'checkpointer' in this.toSave) throw new Error("CheckpointSaver: saveDict cannot have the key 'checkpointer' when keyMetricSaveState is true");
    mkdirSync(this.dirname, { recursive: true });
  }

  /** Where a file of this checkpoint lands on disk. */
  path(filename: string): string {
    return join(this.dirname, this.fixedFilename ?? filename);
  }

  get lastCheckpoint(): string | null {
    return this.saved.length ? this.path(this.saved[this.saved.length - 1].filename) : null;
  }

  private hasRoom(): boolean {
    return this.nSaved === null || this.saved.length < this.nSaved;
  }

  private beats(priority: number): boolean {
    return this.greaterOrEqual ? priority >= this.saved[0].priority : priority > this.saved[0].priority;
  }

  /** Scores the engine's state and saves when the score is among the best nSaved. */
  call(engine: Engine): void {
    const priority = this.scoreFunction(engine);
    if (typeof priority !== 'number' || Number.isNaN(priority)) throw new TypeError(`CheckpointSaver: the ${this.scoreName} score must be a number, found ${String(priority)}`);
    if (!(this.hasRoom() || this.beats(priority))) return;
    const names = Object.keys(this.toSave);
    const name = names.length === 1 ? names[0] : 'checkpoint';
    const score = this.floatScore(priority) ? pyFixed(priority, 4) : String(priority);
    const filename = `${this.filenamePrefix ? `${this.filenamePrefix}_` : ''}${name}_${this.scoreName}=${score}.pt`;
    // the list changes only once the file is written, so a failed save leaves the saver as it was
    const next = [...this.saved];
    let toRemove: CheckpointItem | null = null;
    const index = next.findIndex((it) => it.filename === filename);
    if (index >= 0) toRemove = next.splice(index, 1)[0];
    else if (!(this.nSaved === null || next.length < this.nSaved)) toRemove = next.splice(0, 1)[0];
    next.push({ priority, filename });
    next.sort((a, b) => a.priority - b.priority);
    this.write(filename, next);
    this.saved = next;
    if (toRemove) this.remove(toRemove.filename, filename);
  }

  /** Writes the state dicts (the single object's own when only one) with torch.save, atomically, on rank 0. */
  private write(filename: string, saved: CheckpointItem[]): void {
    if (distributedRank() !== 0) return;
    torch.tidy(() => {
      const entries = Object.entries(this.toSave);
      let ckpt: Record<string, unknown> = {};
      for (const [k, obj] of entries) ckpt[k] = obj.stateDict();
      if (entries.length === 1) ckpt = ckpt[entries[0][0]] as Record<string, unknown>;
      if (this.includeSelf) ckpt.checkpointer = IgniteCheckpoint.savedState(saved);
      torch.save(ckpt, this.path(filename));
      return undefined;
    });
  }

  /** Removes a saved file unless it is the one just written (a fixed name, or the same name again). */
  remove(filename: string, justWritten: string | null = null): void {
    if (distributedRank() !== 0) return;
    const p = this.path(filename);
    if (justWritten !== null && p === this.path(justWritten)) return;
    rmSync(p, { force: true });
  }

  /** Ignite's state dict: {saved: [[priority, filename], ...]}. */
  stateDict(): { saved: [number, string][] } {
    return IgniteCheckpoint.savedState(this.saved);
  }

  private static savedState(saved: CheckpointItem[]): { saved: [number, string][] } {
    return { saved: saved.map((it) => torch.serialization.tuple<unknown>(it.priority, it.filename) as [number, string]) };
  }

  loadStateDict(sd: { saved?: unknown }): void {
    if (!sd || !Array.isArray(sd.saved)) throw new TypeError("CheckpointSaver.loadStateDict: expected {saved: [[priority, filename], ...]}");
    this.saved = sd.saved.map((p: unknown) => {
      const [priority, filename] = p as [unknown, unknown];
      if (typeof filename !== 'string') throw new TypeError(`CheckpointSaver.loadStateDict: a saved entry must be [priority, filename], found ${JSON.stringify(p)}`);
      return { priority: Number(priority), filename };
    });
  }

  reset(): void {
    this.saved = [];
  }
}
