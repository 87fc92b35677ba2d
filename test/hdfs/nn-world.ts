import type { Actor, Context } from '../../sim/core/actor.ts';
import { resolveConfig, type ConfigValue } from '../../sim/core/config.ts';
import type { Json, ProcessId } from '../../sim/core/types.ts';
import { hdfsSchema } from '../../sim/hdfs/config.ts';
import type { HdfsMessage } from '../../sim/hdfs/messages.ts';
import type { BlockManagerHost, NamenodeBlockManager } from '../../sim/hdfs/namenode/block-port.ts';
import type { EditLogIO } from '../../sim/hdfs/namenode/edit-log.ts';
import { nameNodeFactory, type NameNode } from '../../sim/hdfs/namenode/namenode.ts';
import { rpcBytes, type ClientProtocolRequest, type ClientProtocolResponse, type DatanodeLocation } from '../../sim/hdfs/protocol.ts';
import { secondaryNameNodeFactory } from '../../sim/hdfs/snn/secondary.ts';
import type { Block, BlockId, DatanodeName } from '../../sim/hdfs/types.ts';
import { World } from '../../sim/world/world.ts';
import { constantNetwork } from '../env/fixtures.ts';

// A NameNode world for tests of hdfs-nn's part, before the block manager and the DataNodes exist:
// FakeBlockManager stands in for hdfs-bm's BlockManager behind the NamenodeBlockManager seam
// (three DataNodes that accept every block at once: a committed block is minimally replicated), and
// ScriptedClient sends ClientProtocol requests one at a time, recording every answer.

const DNS: DatanodeLocation[] = [1, 2, 3].map((i) => ({ name: `dn-${i}` as DatanodeName, host: `w-${i}`, rack: `/rack-${i <= 2 ? 1 : 2}` }));

export class FakeBlockManager implements NamenodeBlockManager {
  readonly blocks = new Map<BlockId, { block: Block; committed: boolean; removed: boolean }>();
  readonly recoveries: Block[] = [];
  constructor(readonly host: BlockManagerHost) {}
  addBlockCollection(block: Block, _r: number, _f: number, uc: string): void {
    this.blocks.set(block.blockId, { block, committed: uc === 'COMPLETE', removed: false });
  }
  chooseTargetForNewBlock(_s: string, n: number): DatanodeLocation[] {
    return DNS.slice(0, n);
  }
  chooseAdditionalTargets(): DatanodeLocation[] {
    return [];
  }
  commitOrCompleteLastBlock(id: BlockId, commit: Block): { committed: boolean } | { error: string } {
    const b = this.blocks.get(id);
    if (b === undefined) return { error: `blk_${id} does not exist` };
    b.block = commit;
    b.committed = true;
    return { committed: true };
  }
  isMinimallyReplicated(id: BlockId): boolean {
    return this.blocks.get(id)?.committed ?? false;
  }
  removeBlock(id: BlockId): void {
    this.blocks.delete(id);
  }
  removeBlockFromMap(id: BlockId): void {
    this.blocks.delete(id);
  }
  setReplication(): void {}
  updatePipeline(): string | null {
    return null;
  }
  expectedLocations(): DatanodeName[] {
    return DNS.map((d) => d.name);
  }
  locatedBlock(block: Block, offset: number) {
    return { block, offset, locations: DNS, corrupt: false };
  }
  reportBadBlock(): void {}
  initializeBlockRecovery(block: Block): boolean {
    this.recoveries.push(block);
    return true;
  }
  commitBlockSynchronization(): string | null {
    return null;
  }
  handleDatanodeRequest(): never {
    throw new Error('FakeBlockManager: no DataNodes');
  }
  safeModeCounts() {
    let n = 0;
    for (const b of this.blocks.values()) if (b.committed) n++;
    return { blockTotal: n, blockSafe: n, liveDatanodes: 3 };
  }
  initializeReplQueues(): void {}
  periodicTasks() {
    return [];
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type Call = DistributiveOmit<ClientProtocolRequest, 'callId'>;
export interface Answered {
  readonly req: Call;
  readonly res: ClientProtocolResponse;
  readonly atUs: number;
}

/** Sends its script's requests one at a time (each after the previous answer), from `startUs` on. */
export class ScriptedClient implements Actor<HdfsMessage, 'go'> {
  readonly answers: Answered[] = [];
  private i = 0;
  private readonly nn: ProcessId;
  constructor(private readonly ctx: Context, private readonly script: readonly Call[], startUs: number) {
    this.nn = ctx.lookup('nn');
    ctx.setTimer(startUs, 'go');
  }
  onTimer(): void {
    this.next();
  }
  private next(): void {
    const c = this.script[this.i];
    if (c === undefined) return;
    const req = { ...c, callId: this.i + 1 } as ClientProtocolRequest;
    this.ctx.send(this.nn, req, rpcBytes(req));
  }
  onMessage(_from: ProcessId, m: HdfsMessage): void {
    if (!('callId' in m) || m.callId !== this.i + 1) return;
    this.answers.push({ req: this.script[this.i]!, res: m as ClientProtocolResponse, atUs: this.ctx.nowUs() });
    this.i++;
    this.next();
  }
  inspect(): Json {
    return { answered: this.answers.length };
  }
}

export interface NnWorldOptions {
  readonly seed?: number;
  readonly config?: { readonly [key: string]: string | ConfigValue };
  readonly wrapEditLogIO?: (io: EditLogIO) => EditLogIO;
  readonly snn?: boolean;
}

export function nnWorld(opts: NnWorldOptions = {}): { world: World; nn: () => NameNode; bm: () => FakeBlockManager } {
  const world = new World({ seed: opts.seed ?? 1, config: resolveConfig(hdfsSchema, {}, opts.config ?? {}), network: constantNetwork(200), trace: null });
  world.addHost('nn', { rack: '/rack-1' });
  let bm: FakeBlockManager | null = null;
  world.addProcess('nn', 'nn', nameNodeFactory({
    blockManager: (host) => (bm = new FakeBlockManager(host)),
    resolveRack: () => '/rack-1',
    namespaceId: 4242,
    ...(opts.wrapEditLogIO !== undefined ? { wrapEditLogIO: opts.wrapEditLogIO } : {}),
  }), { system: 'hdfs', role: 'namenode' });
  if (opts.snn === true) {
    world.addHost('snn', { rack: '/rack-1' });
    world.addProcess('snn', 'snn', secondaryNameNodeFactory({ namenode: 'nn' }), { system: 'hdfs', role: 'secondarynamenode' });
  }
  return { world, nn: () => world.actor<NameNode>('nn')!, bm: () => bm! };
}

/** Adds a scripted client on its own host. */
export function addClient(world: World, name: string, script: readonly Call[], startUs: number): () => ScriptedClient {
  world.addHost(`h-${name}`, { rack: '/rack-2' });
  world.addProcess(name, `h-${name}`, (ctx) => new ScriptedClient(ctx, script, startUs), { system: 'hdfs', role: 'client' });
  return () => world.actor<ScriptedClient>(name)!;
}
