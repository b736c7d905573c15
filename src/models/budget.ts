/**
 * A spending limit shared by every judge of a run. A request reserves its worst-case cost before
 * it is sent (estimated input + the max output tokens); the reservation is replaced by the actual
 * cost when the reply arrives. A request that does not fit waits while others are in flight
 * (their actual cost is usually far below the worst case); when it cannot fit even with nothing
 * in flight, the budget is exhausted and the request is not sent.
 */
export class Budget {
  private spent = 0;
  private reserved = 0;
  private waiters: (() => void)[] = [];
  exhausted = false;

  constructor(readonly limitUsd: number) {}

  async reserve(usd: number): Promise<boolean> {
    for (;;) {
      if (this.exhausted) return false;
      if (this.spent + this.reserved + usd <= this.limitUsd) {
        this.reserved += usd;
        return true;
      }
      if (this.reserved === 0) {
        this.exhausted = true;
        this.wakeAll();
        return false;
      }
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }

  settle(reservedUsd: number, actualUsd: number): void {
    this.reserved -= reservedUsd;
    this.spent += actualUsd;
    this.wakeAll();
  }

  private wakeAll(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const wake of w) wake();
  }

  get spentUsd(): number {
    return this.spent;
  }
}
