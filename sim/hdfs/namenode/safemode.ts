// The safe mode state machine (BlockManagerSafeMode in 3.x, FSNamesystem.SafeModeInfo before):
//   PENDING_THRESHOLD --thresholds met--> EXTENSION --extension over and met (again)--> OFF
// The extension is counted from the first moment the thresholds were met: if blocks or DataNodes
// go missing during it, safe mode stays in EXTENSION and leaves at the first check after the
// extension where the thresholds hold again (BlockManagerSafeMode.checkSafeMode does nothing in
// EXTENSION; SafeModeMonitor.canLeave asks for timeToLeaveExtension() <= 0 and areThresholdsMet();
// 2.x SafeModeInfo did the same: once its monitor thread ran, checkMode no longer re-entered).
// Thresholds: safe blocks >= blockTotal * threshold-pct (a block is safe with
// dfs.namenode.replication.min live replicas) and live DataNodes >= min.datanodes. At activation, if
// the thresholds are already met (e.g. an empty namespace and min.datanodes 0) safe mode is left at
// once, without the extension; with extension <= 0 it is left as soon as they are met. A
// threshold-pct above 1 keeps safe mode on for good. Manual safe mode (dfsadmin -safemode enter) is
// left only by dfsadmin -safemode leave. The counts come from the block manager (hdfs-bm).

export type SafeModeStatus = 'PENDING_THRESHOLD' | 'EXTENSION' | 'OFF';

export interface SafeModeCounts {
  readonly blockTotal: number;
  readonly blockSafe: number;
  readonly liveDatanodes: number;
}

export interface SafeModeConf {
  readonly thresholdPct: number;
  readonly extensionUs: number;
  readonly minDatanodes: number;
}

export class SafeMode {
  status: SafeModeStatus = 'OFF';
  manual = false;
  private reachedUs = -1;
  private counts: SafeModeCounts = { blockTotal: 0, blockSafe: 0, liveDatanodes: 0 };

  constructor(private readonly conf: SafeModeConf) {}

  get isOn(): boolean {
    return this.status !== 'OFF' || this.manual;
  }

  /** BlockManagerSafeMode.activate: startup safe mode. Returns true if it was left at once. */
  activate(counts: SafeModeCounts, nowUs: number): boolean {
    this.status = 'PENDING_THRESHOLD';
    this.counts = counts;
    if (this.areThresholdsMet()) {
      this.status = 'OFF';
      return true;
    }
    this.check(counts, nowUs);
    return false;
  }

  blockThreshold(): number {
    return Math.floor(this.counts.blockTotal * this.conf.thresholdPct);
  }

  areThresholdsMet(): boolean {
    if (this.conf.thresholdPct > 1) return false;
    const blocksOk = this.conf.thresholdPct <= 0 || this.counts.blockSafe >= this.blockThreshold();
    return blocksOk && this.counts.liveDatanodes >= this.conf.minDatanodes;
  }

  /**
   * BlockManagerSafeMode.checkSafeMode, run when the counts change and by the SafeModeMonitor.
   * Returns 'left' when safe mode was just left.
   */
  check(counts: SafeModeCounts, nowUs: number): 'left' | null {
    this.counts = counts;
    if (this.status === 'OFF') return null;
    const met = this.areThresholdsMet();
    if (this.status === 'PENDING_THRESHOLD') {
      if (!met) return null;
      if (this.conf.extensionUs <= 0) {
        this.status = 'OFF';
        return 'left';
      }
      this.status = 'EXTENSION';
      this.reachedUs = nowUs;
      return null;
    }
    // EXTENSION: SafeModeMonitor.canLeave, the extension first, then the thresholds.
    if (!met) return null;
    if (nowUs - this.reachedUs >= this.conf.extensionUs) {
      this.status = 'OFF';
      return 'left';
    }
    return null;
  }

  /** The tip Hadoop appends to SafeModeException and dfsadmin -safemode get (getSafeModeTip). */
  tip(nowUs: number): string {
    if (this.manual && this.status === 'OFF') return 'It was turned on manually. Use "hdfs dfsadmin -safemode leave" to turn safe mode off.';
    const c = this.counts;
    const parts: string[] = [];
    if (this.conf.thresholdPct > 1) parts.push('Safe mode will be turned off only manually (threshold above 1).');
    const threshold = this.blockThreshold();
    if (c.blockSafe < threshold) {
      parts.push(`The reported blocks ${c.blockSafe} needs additional ${threshold - c.blockSafe} blocks to reach the threshold ${this.conf.thresholdPct.toFixed(4)} of total blocks ${c.blockTotal}.`);
    } else {
      parts.push(`The reported blocks ${c.blockSafe} has reached the threshold ${this.conf.thresholdPct.toFixed(4)} of total blocks ${c.blockTotal}.`);
    }
    if (c.liveDatanodes < this.conf.minDatanodes) {
      parts.push(`The number of live datanodes ${c.liveDatanodes} needs an additional ${this.conf.minDatanodes - c.liveDatanodes} live datanodes to reach the minimum number ${this.conf.minDatanodes}.`);
    } else if (this.conf.minDatanodes > 0) {
      parts.push(`The number of live datanodes ${c.liveDatanodes} has reached the minimum number ${this.conf.minDatanodes}.`);
    }
    if (this.status === 'EXTENSION') {
      const left = Math.max(0, Math.ceil((this.reachedUs + this.conf.extensionUs - nowUs) / 1_000_000));
      parts.push(`Safe mode will be turned off automatically in ${left} seconds.`);
    } else if (this.status === 'PENDING_THRESHOLD') {
      parts.push('Safe mode will be turned off automatically once the thresholds have been reached.');
    }
    return parts.join(' ');
  }
}
