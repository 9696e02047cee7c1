import type { BenchChild } from './processes';

/**
 * What the bench must undo and watch for, whichever way it ends: cleanups run once, newest first, on success,
 * on error and on Ctrl-C; a child that exits while still needed fails the current phase.
 */
export class Lifecycle {
  /** Aborted on Ctrl-C: the loads stop sending, and children get a short grace instead of a full drain. */
  readonly interrupted = new AbortController();
  /** Set once the bench no longer needs its children, so their exits are expected. */
  stopping = false;
  private readonly cleanups: Array<{ what: string; undo: () => Promise<void> | void }> = [];
  private cleaning?: Promise<void>;
  private reportCrash: (error: Error) => void = () => {};
  private readonly crashed = new Promise<never>((_, reject) => (this.reportCrash = reject));

  constructor() {
    this.crashed.catch(() => {});
  }

  onCleanup(what: string, undo: () => Promise<void> | void): void {
    this.cleanups.push({ what, undo });
  }

  /** Stops `child` at the end, and turns an early exit of it into a failure of the running phase. */
  adopt(child: BenchChild): BenchChild {
    child.process.once('exit', (code, signal) => {
      if (this.stopping) return;
      const tail = child.tail().join('\n');
      this.reportCrash(new Error(`${child.name} exited unexpectedly (code ${code}, signal ${signal})\n${tail}`));
    });
    this.onCleanup(child.name, () => child.stop(this.interrupted.signal.aborted ? 5_000 : 35_000));
    return child;
  }

  /** `work`, unless a child crashes first. */
  guard<T>(work: Promise<T>): Promise<T> {
    return Promise.race([work, this.crashed]);
  }

  cleanUp(): Promise<void> {
    this.stopping = true;
    this.cleaning ??= (async () => {
      for (const { what, undo } of this.cleanups.reverse()) {
        try {
          await undo();
        } catch (error) {
          console.error(`bench: cleaning up ${what} failed:`, error);
        }
      }
    })();
    return this.cleaning;
  }
}
