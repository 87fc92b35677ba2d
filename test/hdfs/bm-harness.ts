import { resolveConfig, type ConfigValue } from '../../sim/core/config.ts';
import { Rng } from '../../sim/core/rng.ts';
import { SEC } from '../../sim/core/types.ts';
import { blockManagementSchema, blockSettings } from '../../sim/hdfs/config-blocks.ts';
import { BlockManager, handleDatanodeRpc, type DatanodeRpcHost } from '../../sim/hdfs/blockmanagement/index.ts';
import type { DatanodeCommand, DatanodeProtocolRequest, DatanodeProtocolResponse, ReportedReplica } from '../../sim/hdfs/protocol-dn.ts';
import type { Block, BlockId, DatanodeName, GenStamp, ReplicaState } from '../../sim/hdfs/types.ts';

// A BlockManager driven by hand: a clock, racks by host, DataNodes that register, heartbeat and
// report through handleDatanodeRpc, and the responses they got.

export const GB = 1024 ** 3;

export class BmHarness {
  nowUs = 0;
  safeMode = false;
  readonly racks = new Map<string, string>();
  readonly notes: string[] = [];
  readonly replies: { to: DatanodeName; msg: DatanodeProtocolResponse }[] = [];
  readonly bm: BlockManager;
  private callId = 0;
  readonly rpc: DatanodeRpcHost;

  constructor(overrides: { [key: string]: string | ConfigValue } = {}, seed = 1) {
    const settings = blockSettings(resolveConfig(blockManagementSchema, {}, overrides));
    const rng = new Rng(seed, 'nn');
    this.bm = new BlockManager(settings, {
      nowUs: () => this.nowUs,
      rng,
      tracing: true,
      annotate: (t) => this.notes.push(t),
      isInSafeMode: () => this.safeMode,
      resolveRack: (h) => this.racks.get(h) ?? '',
    });
    this.rpc = {
      reply: (to, msg) => this.replies.push({ to, msg }),
      commitBlockSynchronization: (to, callId, outcome) =>
        this.replies.push({ to, msg: { type: 'commitBlockSynchronizationResponse', callId, error: outcome.ok ? null : 'IOException', errorMessage: outcome.ok ? '' : outcome.message } }),
    };
  }

  send(from: DatanodeName, msg: DatanodeProtocolRequest): DatanodeProtocolResponse | undefined {
    const before = this.replies.length;
    handleDatanodeRpc(this.bm, this.rpc, from, msg);
    return this.replies[before]?.msg;
  }

  nextCall(): number {
    return ++this.callId;
  }

  /** Registers dn-i on host w-i at the given racks (one entry per node), each reporting an empty storage. */
  addNodes(racks: readonly string[], remaining = 100 * GB): DatanodeName[] {
    const names: DatanodeName[] = [];
    const base = this.bm.dm.all().length;
    racks.forEach((rack, i) => {
      const n = base + i + 1;
      const dn = `dn-${n}` as DatanodeName;
      this.racks.set(`w-${n}`, rack);
      this.send(dn, { type: 'registerDatanode', callId: this.nextCall(), registration: { datanode: dn, hostName: `w-${n}`, storageId: `DS-${n}` } });
      this.heartbeat(dn, { remaining });
      this.report(dn, []);
      names.push(dn);
    });
    return names;
  }

  heartbeat(dn: DatanodeName, opts: { remaining?: number; xmits?: number; xceivers?: number } = {}): DatanodeCommand[] {
    const r = this.send(dn, {
      type: 'sendHeartbeat', callId: this.nextCall(), datanode: dn,
      storage: { storageId: `DS-${dn}`, failed: false, capacity: 200 * GB, dfsUsed: 0, remaining: opts.remaining ?? 100 * GB },
      xceiverCount: opts.xceivers ?? 0, xmitsInProgress: opts.xmits ?? 0, failedVolumes: 0,
    });
    return r?.type === 'heartbeatResponse' ? [...r.commands] : [];
  }

  report(dn: DatanodeName, replicas: readonly ReportedReplica[]): void {
    this.send(dn, { type: 'blockReport', callId: this.nextCall(), datanode: dn, storageId: `DS-${dn}`, replicas });
  }

  received(dn: DatanodeName, block: Block, delHint: DatanodeName | null = null): void {
    this.send(dn, { type: 'blockReceivedAndDeleted', callId: this.nextCall(), datanode: dn, storageId: `DS-${dn}`, blocks: [{ block, status: 'RECEIVED_BLOCK', delHint }] });
  }

  deleted(dn: DatanodeName, block: Block): void {
    this.send(dn, { type: 'blockReceivedAndDeleted', callId: this.nextCall(), datanode: dn, storageId: `DS-${dn}`, blocks: [{ block, status: 'DELETED_BLOCK', delHint: null }] });
  }

  /** A COMPLETE block of replication r with FINALIZED replicas on `nodes` (after safe mode). */
  completeBlock(id: number, replication: number, nodes: readonly DatanodeName[], gs = 1001, len = 1024): Block {
    const block = blk(id, gs, len);
    this.bm.addBlockCollection(block, replication, 16386, 'UNDER_CONSTRUCTION', nodes);
    for (const dn of nodes) this.received(dn, block);
    this.bm.commitOrCompleteLastBlock(block.blockId, block);
    return block;
  }

  advance(us: number): void {
    this.nowUs += us;
  }

  rackOf(dn: DatanodeName): string {
    return this.bm.dm.descriptor(dn)?.rack ?? '?';
  }
}

export function blk(id: number, gs = 1001, len = 1024): Block {
  return { blockId: id as BlockId, genStamp: gs as GenStamp, numBytes: len };
}

export function replica(b: Block, state: ReplicaState = 'FINALIZED'): ReportedReplica {
  return { block: b, state };
}

export { SEC };
