import { invariant } from '../../core/invariant.ts';

// LeaseManager: one lease per client (holder), covering that client's files under construction
// (by inode id). renewLease renews the holder's lease for all its files. The soft limit (60 s,
// HdfsConstants.LEASE_SOFTLIMIT_PERIOD) lets another client take the file over through lease
// recovery; past the hard limit the lease monitor (LeaseManager.Monitor, every
// dfs.namenode.lease-recheck-interval-ms) recovers it on its own (FSNamesystem.internalReleaseLease).
// Times are the NameNode host's local clock (Time.monotonicNow in Hadoop).

/** The holder the NameNode reassigns a lease to while it recovers it (HdfsServerConstants.NAMENODE_LEASE_HOLDER). */
export const NAMENODE_LEASE_HOLDER = 'HDFS_NameNode';

export interface Lease {
  readonly holder: string;
  lastUpdateUs: number;
  readonly files: Set<number>;
}

export class LeaseManager {
  private readonly leases = new Map<string, Lease>();
  private readonly byFile = new Map<number, Lease>();
  /** When the NameNode first started recovering each file's lease (internalReleaseLease), until the file closes. */
  readonly recoveryStartedUs = new Map<number, number>();

  constructor(private readonly softLimitUs: number, private readonly hardLimitUs: number) {}

  getLease(holder: string): Lease | undefined {
    return this.leases.get(holder);
  }

  leaseOf(fileId: number): Lease | undefined {
    return this.byFile.get(fileId);
  }

  /** LeaseManager.addLease: the holder now writes this file (also used when loading files under construction). */
  addLease(holder: string, fileId: number, nowUs: number): Lease {
    const old = this.byFile.get(fileId);
    if (old !== undefined) this.removeLease(old.holder, fileId);
    let l = this.leases.get(holder);
    if (l === undefined) {
      l = { holder, lastUpdateUs: nowUs, files: new Set() };
      this.leases.set(holder, l);
    }
    l.files.add(fileId);
    this.byFile.set(fileId, l);
    return l;
  }

  /** LeaseManager.removeLease: the file was closed or deleted. */
  removeLease(holder: string, fileId: number): void {
    const l = this.leases.get(holder);
    if (l === undefined) return;
    l.files.delete(fileId);
    if (this.byFile.get(fileId) === l) {
      this.byFile.delete(fileId);
      this.recoveryStartedUs.delete(fileId);
    }
    if (l.files.size === 0) this.leases.delete(holder);
  }

  /** LeaseManager.reassignLease: recovery hands the file to NAMENODE_LEASE_HOLDER. */
  reassignLease(fileId: number, newHolder: string, nowUs: number): Lease {
    const old = this.byFile.get(fileId);
    invariant(old !== undefined, () => `reassignLease: file ${fileId} has no lease`);
    const started = this.recoveryStartedUs.get(fileId);
    this.removeLease(old.holder, fileId);
    if (started !== undefined) this.recoveryStartedUs.set(fileId, started);
    return this.addLease(newHolder, fileId, nowUs);
  }

  /** Block recovery of the file's last block started now (kept from the first attempt). */
  recoveryStarted(fileId: number, nowUs: number): void {
    if (!this.recoveryStartedUs.has(fileId)) this.recoveryStartedUs.set(fileId, nowUs);
  }

  /** LeaseManager.renewLease (renewLease RPC): false if the client holds no lease. */
  renewLease(holder: string, nowUs: number): boolean {
    const l = this.leases.get(holder);
    if (l === undefined) return false;
    l.lastUpdateUs = nowUs;
    return true;
  }

  expiredSoftLimit(l: Lease, nowUs: number): boolean {
    return nowUs - l.lastUpdateUs > this.softLimitUs;
  }

  expiredHardLimit(l: Lease, nowUs: number): boolean {
    return nowUs - l.lastUpdateUs > this.hardLimitUs;
  }

  /** Leases past the hard limit, oldest first (LeaseManager.checkLeases walks sortedLeases). */
  expiredHard(nowUs: number): Lease[] {
    return [...this.leases.values()].filter((l) => this.expiredHardLimit(l, nowUs)).sort((a, b) => a.lastUpdateUs - b.lastUpdateUs || (a.holder < b.holder ? -1 : 1));
  }

  all(): Lease[] {
    return [...this.leases.values()].sort((a, b) => (a.holder < b.holder ? -1 : a.holder > b.holder ? 1 : 0));
  }

  get size(): number {
    return this.leases.size;
  }
}
