// A host's clock: an offset and a drift rate against simulated (true) time. Code that reads "local
// time" (leases, session deadlines) sees it; timers run at the host's rate, so a fast clock fires
// timeouts early in true time, as a real drifting oscillator would.

export class Clock {
  constructor(public offsetUs: number, public driftPpm: number) {}

  /** Local time at true time `nowUs`. */
  localUs(nowUs: number): number {
    return Math.round(nowUs + this.offsetUs + (nowUs * this.driftPpm) / 1e6);
  }

  /** True-time length of a local-time delay. */
  scaleDelay(delayUs: number): number {
    return this.driftPpm === 0 ? delayUs : Math.round(delayUs / (1 + this.driftPpm / 1e6));
  }
}
