import type { Vector } from '../featurizers/vector.js';
import { loggedInput } from '../audit/log-records.js';
import { KEEP_VERSIONS_DEFAULT, type LogRecord, type StoredInput } from '../storage/index.js';

export interface HandleSettings {
  /** Background training runs this long after the last change; 0 or less: never for this handle. */
  autoTrainDelayMs: number;
  keepInputs: boolean;
  retentionDays?: number | undefined;
  /** Trained versions to keep for rollback; absent: KEEP_VERSIONS_DEFAULT. */
  keepVersions?: number | undefined;
}

/**
 * The open handles of one model and what each asked for. Where handles disagree, the strictest wins: the shortest
 * positive training delay, the shortest retention, and raw inputs kept only while every handle allows it.
 */
export class Handles {
  private readonly open = new Map<string, HandleSettings>();

  add(handle: string, settings: HandleSettings): void {
    this.open.set(handle, settings);
  }

  /** Forgets a handle; resolves to how many remain. */
  remove(handle: string): number {
    this.open.delete(handle);
    return this.open.size;
  }

  get size(): number {
    return this.open.size;
  }

  get autoTrainDelayMs(): number {
    const delays = [...this.open.values()].map((s) => s.autoTrainDelayMs).filter((delay) => delay > 0);
    return delays.length > 0 ? Math.min(...delays) : 0;
  }

  get keepInputs(): boolean {
    return [...this.open.values()].every((s) => s.keepInputs);
  }

  /** The shortest retention period of the open handles, in days, or null when none asks for one. */
  get retentionDays(): number | null {
    const days = [...this.open.values()].flatMap((s) => (s.retentionDays !== undefined ? [s.retentionDays] : []));
    return days.length > 0 ? Math.min(...days) : null;
  }

  /** Versions kept for rollback: the most any open handle asks for, so no handle loses a version it keeps. */
  get keepVersions(): number {
    const asked = [...this.open.values()].map((s) => s.keepVersions ?? KEEP_VERSIONS_DEFAULT);
    return asked.length > 0 ? Math.max(...asked) : KEEP_VERSIONS_DEFAULT;
  }

  /** What the log keeps: a picture's size always (never its pixels); text and rows only while inputs are kept. */
  logInput(input: StoredInput): LogRecord['input'] {
    const isPicture = typeof input === 'object' && !(input instanceof Float32Array);
    return isPicture || this.keepInputs ? loggedInput(input) : undefined;
  }

  /** The input as stored, or only its vector when the model keeps no inputs. */
  keptInput(input: StoredInput, vector: Vector): { input: StoredInput } | { vector: Vector } {
    return this.keepInputs ? { input } : { vector };
  }
}
