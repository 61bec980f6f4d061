// A timer that fires at a wall-clock time however far away: setTimeout overflows past 2^31-1 ms
// (≈ 24.8 days) and would fire at once, so longer waits re-arm in steps.
const MAX_TIMER_MS = 2 ** 31 - 1;

export class LongTimer {
  #timer: NodeJS.Timeout | undefined;

  constructor(atMs: number, fire: () => void) {
    this.#arm(atMs, fire);
  }

  #arm(atMs: number, fire: () => void): void {
    const delay = Math.max(0, atMs - Date.now());
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (delay > MAX_TIMER_MS) this.#arm(atMs, fire);
      else fire();
    }, Math.min(delay, MAX_TIMER_MS));
  }

  clear(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
