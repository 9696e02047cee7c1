/**
 * Keeps track of every timer and outgoing request the sandbox starts on its own, so `close()` and a reset can
 * cancel them: a forgotten 30 s timer or callback would keep a test process (and jest) alive.
 */
export class Scheduler {
  private readonly timers = new Map<NodeJS.Timeout, () => void>();
  private readonly controllers = new Set<AbortController>();

  /** Runs `fn` after `ms`; returns a cancel function. `onCancel` runs instead of `fn` when cancelled. */
  after(ms: number, fn: () => void, onCancel: () => void = () => {}): () => void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.set(timer, onCancel);
    return () => {
      if (!this.timers.delete(timer)) return;
      clearTimeout(timer);
      onCancel();
    };
  }

  /** Waits `ms`, or less if cancelled (the returned promise never rejects). */
  wait(ms: number): { done: Promise<void>; cancel: () => void } {
    let cancel = () => {};
    const done = new Promise<void>((resolve) => {
      cancel = this.after(ms, resolve, resolve);
    });
    return { done, cancel };
  }

  /** An AbortController that `cancelAll` aborts; call `release` once the work is over. */
  abortable(): { signal: AbortSignal; release: () => void } {
    const controller = new AbortController();
    this.controllers.add(controller);
    return { signal: controller.signal, release: () => this.controllers.delete(controller) };
  }

  get size(): number {
    return this.timers.size + this.controllers.size;
  }

  cancelAll(): void {
    const pending = [...this.timers];
    this.timers.clear();
    for (const [timer, onCancel] of pending) {
      clearTimeout(timer);
      onCancel();
    }
    for (const controller of this.controllers) controller.abort();
    this.controllers.clear();
  }
}
