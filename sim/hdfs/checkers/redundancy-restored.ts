import type { Json, ProcessId } from '../../core/types.ts';
import type { Checker, CheckStatus, RunPhases } from '../../world/checker.ts';
import type { World } from '../../world/world.ts';

// hdfs-redundancy-restored (issue 12, liveness): after the heal, every complete block is back at
// its target replication, over at least two racks where the live DataNodes span two, within a
// bound. Judged on the DataNodes' real replicas, not on the NameNode's belief:
//  - the blocks and their replication, GS and length come from the NameNode's inspect() view
//    (`blockManager.blocks`, inspectBlockManagement): the blocks files own;
//  - a replica counts if an up DataNode's inspect() view (`replicas`: {block, gs, state, bytes})
//    lists it FINALIZED with that GS and length;
//  - the target is min(replication, up DataNodes); two racks are required when replication >= 2 and
//    the up DataNodes are on two racks or more (BlockPlacementStatusDefault's minimum).
// The state is sampled every pollMs; the block set must be restored at some sample no later than
// heal + withinMs and stay restored to the end of the run.

const NAME = 'hdfs-redundancy-restored';

export interface RedundancyRestoredOptions {
  readonly withinMs: number;
  readonly pollMs?: number;
  /** The NameNode process (default "nn"). */
  readonly namenode?: string;
}

type Obj = { readonly [k: string]: Json };

function obj(v: Json | undefined): Obj | null {
  return v !== null && v !== undefined && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : null;
}

function arr(v: Json | undefined): readonly Json[] {
  return Array.isArray(v) ? (v as readonly Json[]) : [];
}

/** Why the blocks are not restored at this moment, or null when they are. */
export function redundancyShortfall(world: World, namenode: string): string | null {
  if (!world.hasProcess(namenode)) return `no process ${namenode}`;
  const nn = world.pid(namenode);
  if (!world.isUp(nn)) return `${namenode} is down`;
  const bmView = obj(obj(world.inspect(nn))?.['blockManager']);
  if (bmView === null) return `${namenode} shows no block manager view`;
  const datanodes: ProcessId[] = [];
  for (let p = 0; p < world.procNames.length; p++) {
    if (world.procRole[p] === 'datanode' && world.isUp(p as ProcessId)) datanodes.push(p as ProcessId);
  }
  const rackOf = (p: ProcessId): string => world.hostRacks[world.procHost[p] as number] ?? '/default-rack';
  const upRacks = new Set(datanodes.map(rackOf)).size;
  // blockId -> "gs/len" -> racks of the DataNodes holding such a finalized replica
  const held = new Map<number, Map<string, string[]>>();
  for (const p of datanodes) {
    for (const r of arr(obj(world.inspect(p))?.['replicas'])) {
      const o = obj(r);
      if (o === null || o['state'] !== 'FINALIZED') continue;
      const id = Number(o['block']);
      const key = `${String(o['gs'])}/${String(o['bytes'])}`;
      let m = held.get(id);
      if (m === undefined) {
        m = new Map();
        held.set(id, m);
      }
      const list = m.get(key) ?? [];
      list.push(rackOf(p));
      m.set(key, list);
    }
  }
  const blocks = bmView['blocks'];
  for (const b of Array.isArray(blocks) ? blocks : Object.values(obj(blocks) ?? {})) {
    const o = obj(b);
    if (o === null || o['state'] !== 'COMPLETE') continue;
    const id = Number(o['id']);
    const replication = Number(o['replication']);
    const racks = held.get(id)?.get(`${String(o['gs'])}/${String(o['len'])}`) ?? [];
    const need = Math.min(replication, datanodes.length);
    if (racks.length < need) return `blk_${id}_${String(o['gs'])} has ${racks.length} finalized replica(s) on up DataNodes, needs ${need} (replication ${replication})`;
    if (replication >= 2 && upRacks >= 2 && new Set(racks).size < 2) return `blk_${id}_${String(o['gs'])} has all ${racks.length} replicas on rack ${racks[0] ?? '?'} though the up DataNodes span ${upRacks} racks`;
  }
  return null;
}

export function hdfsRedundancyRestoredChecker(opts: RedundancyRestoredOptions): Checker {
  const pollUs = (opts.pollMs ?? 5000) * 1000;
  const namenode = opts.namenode ?? 'nn';
  /** Start of the current run of restored samples (null: the last sample was short). */
  let restoredSinceUs: number | null = null;
  let lastShortfall = 'never sampled';
  return {
    name: NAME,
    kind: 'liveness',
    description: `after the heal, every complete block has min(replication, live DataNodes) finalized replicas, on two racks where there are two, within ${opts.withinMs} ms`,
    attach(world: World) {
      const poll = (): void => {
        const why = redundancyShortfall(world, namenode);
        if (why === null) {
          if (restoredSinceUs === null) restoredSinceUs = world.nowUs;
        } else {
          restoredSinceUs = null;
          lastShortfall = why;
        }
        world.schedule(world.nowUs + pollUs, poll);
      };
      world.schedule(pollUs, poll);
    },
    finish(world: World, run: RunPhases): CheckStatus {
      const deadlineUs = run.healUs + opts.withinMs * 1000;
      const finalWhy = redundancyShortfall(world, namenode);
      if (finalWhy === null && restoredSinceUs === null) restoredSinceUs = run.endUs;
      if (finalWhy !== null) {
        restoredSinceUs = null;
        lastShortfall = finalWhy;
      }
      if (restoredSinceUs !== null && restoredSinceUs <= deadlineUs) return 'pass';
      if (run.endUs < deadlineUs) return 'unknown';
      const when = restoredSinceUs === null ? `not restored at the end of the run: ${lastShortfall}` : `restored only ${((restoredSinceUs - run.healUs) / 1e6).toFixed(1)} s after the heal (last shortfall: ${lastShortfall})`;
      world.reportViolation(NAME, `block redundancy not restored within ${opts.withinMs} ms of the heal at ${(run.healUs / 1e6).toFixed(3)} s: ${when}`);
      return 'fail';
    },
  };
}
