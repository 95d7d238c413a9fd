/** A small unbounded async queue: push from event handlers, await the next item with a timeout. */
export class Inbox<T> {
  private readonly items: T[] = [];
  private wake: (() => void) | undefined;

  push(item: T): void {
    this.items.push(item);
    this.wake?.();
  }

  get size(): number {
    return this.items.length;
  }

  /** The next item, or undefined after `timeoutMs` or when `signal` aborts. */
  async next(timeoutMs: number, signal?: AbortSignal): Promise<T | undefined> {
    if (this.items.length > 0) return this.items.shift();
    if (signal?.aborted) return undefined;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      signal?.addEventListener('abort', done, { once: true });
      this.wake = done;
    });
    return this.items.shift();
  }
}
