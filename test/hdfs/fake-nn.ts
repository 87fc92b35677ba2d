import type { Actor, Context } from '../../sim/core/actor.ts';
import { resolveConfig, type ConfigValue } from '../../sim/core/config.ts';
import type { Json, ProcessId } from '../../sim/core/types.ts';
import { MS, SEC } from '../../sim/core/types.ts';
import { World } from '../../sim/world/world.ts';
import { datanodeSchema } from '../../sim/hdfs/config-datanode.ts';
import { clientFactory, type ClientOptions } from '../../sim/hdfs/client/client.ts';
import { datanodeFactory, type DataNode } from '../../sim/hdfs/datanode/datanode.ts';
import type { HdfsMessage } from '../../sim/hdfs/messages.ts';
import type { ClientProtocolResponse, DatanodeLocation, LocatedBlock } from '../../sim/hdfs/protocol.ts';
import type { DatanodeCommand, DatanodeProtocolResponse } from '../../sim/hdfs/protocol-dn.ts';
import type { Block, BlockId, DatanodeName, GenStamp } from '../../sim/hdfs/types.ts';

// A stand-in NameNode for the DataNode and client tests: just enough ClientProtocol and
// DatanodeProtocol to drive pipelines (allocation in a fixed rotation, GS bumps, replica map from
// incremental reports), so the data path is tested without the real NameNode and BlockManager.

interface FileEntry {
  readonly fileId: number;
  readonly replication: number;
  blocks: Block[];
  complete: boolean;
}

export class FakeNameNode implements Actor<HdfsMessage, 'tick'> {
  readonly files = new Map<string, FileEntry>();
  /** blockId -> datanode -> reported replica. */
  readonly replicas = new Map<number, Map<DatanodeName, { gs: number; len: number; status: string }>>();
  readonly commands = new Map<DatanodeName, DatanodeCommand[]>();
  readonly badBlocks: { blockId: number; dn: DatanodeName }[] = [];
  readonly pipelineUpdates: { blockId: number; gs: number; nodes: readonly DatanodeName[] }[] = [];
  readonly syncs: { blockId: number; gs: number; length: number; targets: readonly DatanodeName[]; deleted: boolean }[] = [];
  private nextBlockId = 1073741825;
  nextGs = 1001;
  private rotation = 0;

  constructor(private readonly ctx: Context, private readonly datanodes: readonly DatanodeLocation[]) {}

  private reply(to: ProcessId, m: ClientProtocolResponse | DatanodeProtocolResponse): void {
    this.ctx.send(to, m, 100);
  }

  located(b: Block, names: readonly DatanodeName[]): LocatedBlock {
    return { block: b, offset: 0, locations: names.map((n) => this.datanodes.find((d) => d.name === n)!), corrupt: false };
  }

  onMessage(from: ProcessId, m: HdfsMessage): void {
    switch (m.type) {
      case 'create': {
        const f: FileEntry = { fileId: 16386 + this.files.size, replication: m.replication, blocks: [], complete: false };
        this.files.set(m.src, f);
        this.reply(from, { type: 'createResponse', callId: m.callId, status: { path: m.src, fileId: f.fileId, isDir: false, length: 0, replication: m.replication, blockSize: m.blockSize, mtimeMs: 0, childrenNum: 0 } });
        return;
      }
      case 'addBlock': {
        const f = this.files.get(m.src)!;
        if (m.previous !== null) f.blocks[f.blocks.length - 1] = m.previous;
        const b: Block = { blockId: this.nextBlockId++ as BlockId, genStamp: this.nextGs++ as GenStamp, numBytes: 0 };
        f.blocks.push(b);
        const cands = this.datanodes.filter((d) => !m.excludeNodes.includes(d.name));
        const names: DatanodeName[] = [];
        for (let i = 0; i < Math.min(f.replication, cands.length); i++) names.push(cands[(this.rotation + i) % cands.length]!.name);
        this.rotation++;
        this.reply(from, { type: 'addBlockResponse', callId: m.callId, located: this.located(b, names) });
        return;
      }
      case 'abandonBlock': {
        const f = this.files.get(m.src)!;
        f.blocks = f.blocks.filter((b) => b.blockId !== m.block.blockId);
        this.reply(from, { type: 'abandonBlockResponse', callId: m.callId });
        return;
      }
      case 'complete': {
        const f = this.files.get(m.src)!;
        if (m.last !== null) f.blocks[f.blocks.length - 1] = m.last;
        const last = f.blocks[f.blocks.length - 1];
        const ok = last === undefined || [...(this.replicas.get(last.blockId)?.values() ?? [])].some((r) => r.gs === last.genStamp && r.status === 'RECEIVED_BLOCK');
        f.complete ||= ok;
        this.reply(from, { type: 'completeResponse', callId: m.callId, result: ok });
        return;
      }
      case 'updateBlockForPipeline': {
        const b: Block = { ...m.block, genStamp: this.nextGs++ as GenStamp };
        this.reply(from, { type: 'updateBlockForPipelineResponse', callId: m.callId, located: this.located(b, []) });
        return;
      }
      case 'updatePipeline': {
        for (const f of this.files.values()) f.blocks = f.blocks.map((b) => (b.blockId === m.newBlock.blockId ? m.newBlock : b));
        this.pipelineUpdates.push({ blockId: m.newBlock.blockId, gs: m.newBlock.genStamp, nodes: m.newNodes });
        this.reply(from, { type: 'updatePipelineResponse', callId: m.callId });
        return;
      }
      case 'getAdditionalDatanode': {
        const extra = this.datanodes.find((d) => !m.existings.includes(d.name) && !m.excludes.includes(d.name));
        if (extra === undefined) {
          this.reply(from, { type: 'RemoteException', callId: m.callId, rpc: 'getAdditionalDatanode', className: 'IOException', message: 'no more datanodes' });
          return;
        }
        this.reply(from, { type: 'getAdditionalDatanodeResponse', callId: m.callId, located: this.located(m.block, [...m.existings, extra.name]) });
        return;
      }
      case 'getBlockLocations': {
        const f = this.files.get(m.src);
        if (f === undefined) {
          this.reply(from, { type: 'RemoteException', callId: m.callId, rpc: 'getBlockLocations', className: 'FileNotFoundException', message: `File does not exist: ${m.src}` });
          return;
        }
        const blocks = f.blocks.map((b) => {
          const reps = [...(this.replicas.get(b.blockId) ?? new Map()).entries()].filter(([, r]) => r.gs >= b.genStamp && r.status !== 'DELETED_BLOCK');
          return this.located(b, reps.map(([dn]) => dn).sort());
        });
        const length = f.blocks.reduce((s, b) => s + b.numBytes, 0);
        this.reply(from, { type: 'getBlockLocationsResponse', callId: m.callId, located: { fileLength: length, underConstruction: !f.complete, blocks, lastLocatedBlock: blocks[blocks.length - 1] ?? null, isLastBlockComplete: f.complete } });
        return;
      }
      case 'renewLease':
        this.reply(from, { type: 'renewLeaseResponse', callId: m.callId });
        return;
      case 'fsync':
        this.reply(from, { type: 'fsyncResponse', callId: m.callId });
        return;
      case 'reportBadBlocks':
        for (const lb of m.blocks) for (const l of lb.locations) this.badBlocks.push({ blockId: lb.block.blockId, dn: l.name });
        this.reply(from, { type: 'reportBadBlocksResponse', callId: m.callId });
        return;
      case 'registerDatanode':
        this.reply(from, { type: 'registerDatanodeResponse', callId: m.callId, error: null, errorMessage: '' });
        return;
      case 'sendHeartbeat': {
        const cmds = this.commands.get(m.datanode) ?? [];
        this.commands.set(m.datanode, []);
        this.reply(from, { type: 'heartbeatResponse', callId: m.callId, error: null, errorMessage: '', commands: cmds });
        return;
      }
      case 'blockReport':
        for (const r of m.replicas) this.record(m.datanode, r.block, r.state === 'FINALIZED' ? 'RECEIVED_BLOCK' : r.state);
        this.reply(from, { type: 'blockReportResponse', callId: m.callId, error: null, errorMessage: '' });
        return;
      case 'blockReceivedAndDeleted':
        for (const e of m.blocks) this.record(m.datanode, e.block, e.status);
        this.reply(from, { type: 'blockReceivedAndDeletedResponse', callId: m.callId, error: null, errorMessage: '' });
        return;
      case 'commitBlockSynchronization': {
        for (const f of this.files.values()) {
          if (!f.blocks.some((b) => b.blockId === m.block.blockId)) continue;
          if (m.deleteBlock) f.blocks = f.blocks.filter((b) => b.blockId !== m.block.blockId);
          else f.blocks = f.blocks.map((b) => (b.blockId === m.block.blockId ? { ...b, genStamp: m.newGenStamp, numBytes: m.newLength } : b));
          if (m.closeFile) f.complete = true;
        }
        this.syncs.push({ blockId: m.block.blockId, gs: m.newGenStamp, length: m.newLength, targets: m.newTargets, deleted: m.deleteBlock });
        this.reply(from, { type: 'commitBlockSynchronizationResponse', callId: m.callId, error: null, errorMessage: '' });
        return;
      }
      case 'datanodeReportBadBlocks':
        for (const e of m.blocks) for (const dn of e.datanodes) this.badBlocks.push({ blockId: e.block.blockId, dn });
        this.reply(from, { type: 'datanodeReportBadBlocksResponse', callId: m.callId, error: null, errorMessage: '' });
        return;
      default:
        return;
    }
  }

  private record(dn: DatanodeName, b: Block, status: string): void {
    let m = this.replicas.get(b.blockId);
    if (m === undefined) {
      m = new Map();
      this.replicas.set(b.blockId, m);
    }
    m.set(dn, { gs: b.genStamp, len: b.numBytes, status });
  }

  onTimer(): void {}

  inspect(): Json {
    return { files: this.files.size };
  }
}

export interface Rig {
  readonly world: World;
  nn(): FakeNameNode;
  readonly datanodes: DatanodeLocation[];
}

/** nn, `n` DataNodes dn-i on w-i (racks alternate), and the given clients on c-<name> hosts. */
export function rig(n: number, clients: { [name: string]: ClientOptions }, overrides: { [k: string]: ConfigValue } = {}, seed = 1): Rig {
  const config = resolveConfig(datanodeSchema, {}, overrides);
  const world = new World({ seed, config });
  world.addHost('nn', { rack: '/rack-1' });
  const datanodes: DatanodeLocation[] = [];
  for (let i = 1; i <= n; i++) {
    const rack = `/rack-${((i - 1) % 2) + 1}`;
    world.addHost(`w-${i}`, { rack });
    datanodes.push({ name: `dn-${i}` as DatanodeName, host: `w-${i}`, rack });
  }
  let nn: FakeNameNode | null = null;
  world.addProcess('nn', 'nn', (ctx) => (nn = new FakeNameNode(ctx, datanodes)), { system: 'hdfs' });
  for (const d of datanodes) world.addProcess(d.name, d.host, datanodeFactory({ namenode: 'nn' }), { system: 'hdfs' });
  for (const [name, opts] of Object.entries(clients)) {
    world.addHost(`c-${name}`, { rack: '/rack-1' });
    world.addProcess(name, `c-${name}`, clientFactory(opts), { system: 'hdfs' });
  }
  return { world, nn: () => nn!, datanodes };
}

export const MiB = 1024 * 1024;
export const SECOND_MS = 1000 * MS;

/** Runs in 1 ms steps until `cond` holds (at most 60 simulated seconds). */
export function runUntilTrue(world: World, cond: () => boolean): void {
  const end = world.nowUs + 60 * SEC;
  while (!cond()) {
    if (world.nowUs >= end) throw new Error('condition never held');
    world.runUntil(world.nowUs + 1000);
  }
}

/** Bytes of the RBW replicas on a DataNode. */
export function rbwBytes(world: World, dn: string): number {
  const a = world.actors[world.pid(dn)] as DataNode | null;
  if (a === null) return 0;
  let n = 0;
  for (const r of a.dataset.replicas.values()) if (r.state === 'RBW') n += r.bytesOnDisk;
  return n;
}

