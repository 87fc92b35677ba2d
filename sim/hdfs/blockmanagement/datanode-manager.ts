import { invariant } from '../../core/invariant.ts';
import type { BlockSettings } from '../config-blocks.ts';
import type { DatanodeRegistration, HeartbeatRequest } from '../protocol-dn.ts';
import type { DatanodeName } from '../types.ts';
import { DatanodeDescriptor } from './datanode-descriptor.ts';
import { DEFAULT_RACK, NetworkTopology } from './topology.ts';

// DatanodeManager and HeartbeatManager: the DataNodes the NameNode knows, their racks
// (resolveNetworkLocation through the scenario's topology, the net.topology.script.file.name
// equivalent), heartbeats, and the heartbeat monitor that declares nodes stale and dead.
//   stale: no heartbeat for dfs.namenode.stale.datanode.interval (30 s)
//   dead:  no heartbeat for 2 x recheck-interval + 10 x heartbeat (630 s), found by heartbeatCheck,
//          which the monitor (every 5 s) runs once per recheck interval (300 s). A silent node is
//          therefore declared dead between 630 s and 930 s after its last heartbeat.
// Nothing is declared dead in startup safe mode (HeartbeatManager.heartbeatCheck returns early).

/** HeartbeatManager.Monitor sleeps 5 s between rounds. */
export const HEARTBEAT_MONITOR_PERIOD_US = 5_000_000;

/** How many dead declarations the NameNode's view remembers. */
export const DEAD_DECLARATIONS_KEPT_MAX = 50;

export class DatanodeManager {
  /** datanodeMap: every DataNode that ever registered (dead ones stay, not alive). */
  private readonly datanodes = new Map<DatanodeName, DatanodeDescriptor>();
  readonly topology = new NetworkTopology();
  /** HeartbeatManager's last heartbeatCheck (-Infinity: the first monitor round checks at once). */
  private lastHeartbeatCheckUs = -Infinity;
  numStaleNodes = 0;
  /** The last dead declarations (for inspect(): when, and after how long a silence). */
  readonly deadDeclarations: { readonly datanode: DatanodeName; readonly atUs: number; readonly silentUs: number }[] = [];

  constructor(
    readonly settings: BlockSettings,
    private readonly resolveRack: (hostName: string) => string,
  ) {}

  descriptor(dn: DatanodeName): DatanodeDescriptor | undefined {
    return this.datanodes.get(dn);
  }

  /** All known DataNodes, by name. */
  all(): DatanodeDescriptor[] {
    return [...this.datanodes.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  live(): DatanodeDescriptor[] {
    return this.all().filter((d) => d.alive);
  }

  liveCount(): number {
    let n = 0;
    for (const d of this.datanodes.values()) if (d.alive) n++;
    return n;
  }

  /** The live DataNode running on a host (getDatanodeByHost), for writer-local placement and read sorting. */
  byHost(hostName: string): DatanodeDescriptor | undefined {
    return this.all().find((d) => d.alive && d.hostName === hostName);
  }

  /** The heartbeat monitor's recheck period: the stale interval when it is shorter and stale nodes are avoided for writes. */
  get heartbeatRecheckIntervalUs(): number {
    const s = this.settings;
    return s.avoidStaleForWrite && s.staleIntervalUs < s.heartbeatRecheckIntervalUs ? s.staleIntervalUs : s.heartbeatRecheckIntervalUs;
  }

  /**
   * registerDatanode: a new node, or a known one again (a restart, or after being declared dead).
   * A re-registration keeps the node's blocks in the map until its next full report, which must
   * come (blockReportCount back to 0: updateRegInfo); the registration counts as a heartbeat.
   */
  registerDatanode(reg: DatanodeRegistration, nowUs: number): DatanodeDescriptor {
    const rack = this.resolveNetworkLocation(reg.hostName);
    let d = this.datanodes.get(reg.datanode);
    if (d === undefined) {
      d = new DatanodeDescriptor(reg.datanode, reg.hostName, rack, reg.storageId, nowUs);
      this.datanodes.set(reg.datanode, d);
    } else {
      d.hostName = reg.hostName;
      d.rack = rack;
      d.storageId = reg.storageId;
    }
    d.blockReportCount = 0;
    d.heartbeatedSinceRegistration = false;
    this.topology.add(d.name, rack);
    d.alive = true;
    d.lastUpdateUs = nowUs;
    return d;
  }

  private resolveNetworkLocation(hostName: string): string {
    const r = this.resolveRack(hostName);
    return r === '' ? DEFAULT_RACK : r;
  }

  /** updateHeartbeat: the heartbeat's storage report and load; the node is fresh again. */
  updateHeartbeat(d: DatanodeDescriptor, hb: HeartbeatRequest, nowUs: number): void {
    invariant(d.alive, () => `heartbeat state update for ${d.name}, which is not alive`);
    d.capacity = hb.storage.capacity;
    d.dfsUsed = hb.storage.dfsUsed;
    d.remaining = hb.storage.remaining;
    d.xceiverCount = hb.xceiverCount;
    d.failedVolumes = hb.failedVolumes;
    d.lastUpdateUs = nowUs;
    d.heartbeatedSinceRegistration = true;
  }

  /** isDatanodeDead: no heartbeat for the expire interval. */
  isDatanodeDead(d: DatanodeDescriptor, nowUs: number): boolean {
    return d.lastUpdateUs < nowUs - this.settings.heartbeatExpireIntervalUs;
  }

  /**
   * One HeartbeatManager.Monitor round: if a recheck interval passed since the last check, returns
   * the nodes to declare dead (the caller removes them through the BlockManager) and recounts the
   * stale ones. In startup safe mode nothing is checked.
   */
  heartbeatMonitorRound(nowUs: number, inStartupSafeMode: boolean): DatanodeDescriptor[] {
    if (!(this.lastHeartbeatCheckUs + this.heartbeatRecheckIntervalUs < nowUs)) return [];
    this.lastHeartbeatCheckUs = nowUs;
    if (inStartupSafeMode) return [];
    const dead: DatanodeDescriptor[] = [];
    let stale = 0;
    for (const d of this.live()) {
      if (this.isDatanodeDead(d, nowUs)) dead.push(d);
      else if (d.isStale(nowUs, this.settings.staleIntervalUs)) stale++;
    }
    this.numStaleNodes = stale;
    return dead;
  }

  /** removeDatanode (the DataNode part of removeDeadDatanode): out of the live list, queued work dropped. The caller removes it from the topology once its blocks are gone. */
  markDead(d: DatanodeDescriptor, nowUs: number): void {
    this.deadDeclarations.push({ datanode: d.name, atUs: nowUs, silentUs: nowUs - d.lastUpdateUs });
    if (this.deadDeclarations.length > DEAD_DECLARATIONS_KEPT_MAX) this.deadDeclarations.shift();
    d.alive = false;
    d.resetBlocks();
  }

  /** shouldAvoidStaleDataNodesForWrite: when configured, unless too many nodes are stale. */
  avoidStaleNodesForWrite(): boolean {
    return this.settings.avoidStaleForWrite && this.numStaleNodes <= this.liveCount() * this.settings.writeStaleRatio;
  }

  /** getInServiceXceiverAverage. */
  inServiceXceiverAverage(): number {
    const live = this.live();
    if (live.length === 0) return 0;
    return live.reduce((s, d) => s + d.xceiverCount, 0) / live.length;
  }
}
