// A host's clock: an offset and a drift rate against simulated (true) time. Code that reads "local
// time" (leases, session deadlines) sees it; timers run at the host's rate, so a fast clock fires
// timeouts early in true time, as a real drifting oscillator would.

export class Clock {
  /** True time from which the current drift accumulates (0 for the configured clock). */
  sinceUs = 0;
  private readonly baseOffsetUs: number;
  private readonly baseDriftPpm: number;

  constructor(public offsetUs: number, public driftPpm: number) {
    this.baseOffsetUs = offsetUs;
    this.baseDriftPpm = driftPpm;
  }

  /** Local time at true time `nowUs`. */
  localUs(nowUs: number): number {
    return Math.round(nowUs + this.offsetUs + ((nowUs - this.sinceUs) * this.driftPpm) / 1e6);
  }

  /**
   * Steps the clock at true time `nowUs`: local time is then exactly `offsetUs` ahead, and drifts
   * at `driftPpm` from that moment on (not retroactively from time zero, which would add a jump of
   * nowUs * driftPpm on top of the offset).
   */
  set(nowUs: number, offsetUs: number, driftPpm: number): void {
    this.offsetUs = offsetUs;
    this.driftPpm = driftPpm;
    this.sinceUs = nowUs;
  }

  /** Back to the clock the host was configured with. */
  reset(): void {
    this.offsetUs = this.baseOffsetUs;
    this.driftPpm = this.baseDriftPpm;
    this.sinceUs = 0;
  }

  /** True-time length of a local-time delay. */
  scaleDelay(delayUs: number): number {
    return this.driftPpm === 0 ? delayUs : Math.round(delayUs / (1 + this.driftPpm / 1e6));
  }
}
