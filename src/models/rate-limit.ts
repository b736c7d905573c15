/**
 * Requests-per-minute and tokens-per-minute limits over a sliding 60-second window.
 * Written here because the maintained throttling libraries (p-throttle, p-limit) count calls
 * only; a tokens-per-minute limit needs each call weighed by its size.
 */
export class RateLimiter {
  private readonly events: { at: number; tokens: number }[] = [];
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly rpm?: number,
    private readonly tpm?: number,
    private readonly windowMs = 60_000,
  ) {}

  get active(): boolean {
    return Boolean(this.rpm || this.tpm);
  }

  /** Waits until one more request of `tokens` fits in the window, then records it. FIFO. */
  acquire(tokens: number, signal?: AbortSignal): Promise<void> {
    if (!this.active) return Promise.resolve();
    const turn = this.chain.then(() => this.waitForRoom(tokens, signal));
    this.chain = turn.catch(() => {});
    return turn;
  }

  private async waitForRoom(tokens: number, signal?: AbortSignal): Promise<void> {
    for (;;) {
      if (signal?.aborted) throw signal.reason ?? new Error('aborted');
      const now = Date.now();
      while (this.events.length && now - this.events[0]!.at >= this.windowMs) this.events.shift();
      const used = this.events.reduce((s, e) => s + e.tokens, 0);
      const fitsRequests = !this.rpm || this.events.length < this.rpm;
      // a single request larger than the whole budget is let through alone rather than never
      const fitsTokens = !this.tpm || used + tokens <= this.tpm || this.events.length === 0;
      if (fitsRequests && fitsTokens) {
        this.events.push({ at: now, tokens });
        return;
      }
      const wait = this.windowMs - (now - this.events[0]!.at) + 1;
      await new Promise((r) => setTimeout(r, Math.max(1, wait)));
    }
  }
}
