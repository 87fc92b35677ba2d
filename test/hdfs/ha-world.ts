import type { Actor, Context, DiskView } from '../../sim/core/actor.ts';
import { resolveConfig } from '../../sim/core/config.ts';
import type { Json, ProcessId } from '../../sim/core/types.ts';
import { hdfsOneWriterChecker } from '../../sim/hdfs/checkers/one-writer.ts';
import { hdfsSchema } from '../../sim/hdfs/config.ts';
import { Journal, type JournalEvents } from '../../sim/hdfs/ha/journal.ts';
import { JournalNode, journalNodeFactory } from '../../sim/hdfs/ha/journalnode.ts';
import { isQjmTimer, QuorumJournalManager, type QjmTimer } from '../../sim/hdfs/ha/qjm.ts';
import { qjmRpcBytes, type NamespaceInfo, type QJournalMessage, type QJournalResponse } from '../../sim/hdfs/ha/qjournal-protocol.ts';
import { encodeOp, type EditOp, type OpBody } from '../../sim/hdfs/namenode/edit-ops.ts';
import type { TxId } from '../../sim/hdfs/types.ts';
import { World } from '../../sim/world/world.ts';
import { constantNetwork } from '../env/fixtures.ts';

// Three JournalNodes and scripted QJM writers (stand-ins for NameNodes): each writer runs its steps
// in order, a step starting at its `atUs` or when the previous one finished, whichever is later,
// and records how each ended. The edits are real op records (namenode/edit-ops.ts).

export const NS: NamespaceInfo = { namespaceId: 4242, clusterId: 'CID-dsim', layoutVersion: -64 };
export const JNS = ['jn-1', 'jn-2', 'jn-3'];

export type WriterStep =
  | { readonly atUs: number; readonly op: 'format' }
  | { readonly atUs: number; readonly op: 'recover' }
  | { readonly atUs: number; readonly op: 'start'; readonly txid: number }
  | { readonly atUs: number; readonly op: 'edits'; readonly bodies: readonly OpBody[] }
  | { readonly atUs: number; readonly op: 'finalize' };

export interface StepResult {
  readonly op: string;
  readonly atUs: number;
  readonly error: string | null;
}

export class ScriptedWriter implements Actor<QJournalMessage, QjmTimer | 'step'> {
  readonly qjm: QuorumJournalManager;
  readonly results: StepResult[] = [];
  private i = 0;
  segment: number | null = null;
  nextTxId = 1;

  constructor(private readonly ctx: Context, private readonly steps: readonly WriterStep[]) {
    this.qjm = new QuorumJournalManager({
      send: (jn, req) => ctx.send(ctx.lookup(jn), req, qjmRpcBytes(req)),
      setTimer: (d, tag) => ctx.setTimer(d, tag),
      cancelTimer: (id) => ctx.cancelTimer(id),
      annotate: (t) => ctx.annotate(t),
    }, 'mycluster', JNS, NS);
    this.schedule();
  }

  private schedule(): void {
    const s = this.steps[this.i];
    if (s === undefined) return;
    this.ctx.setTimer(Math.max(0, s.atUs - this.ctx.nowUs()), 'step');
  }

  private finish(error: string | null): void {
    this.results.push({ op: this.steps[this.i]!.op, atUs: this.ctx.nowUs(), error });
    this.i++;
    if (error === null) this.schedule();
  }

  private run(s: WriterStep): void {
    const cb = (r: { readonly error: string } | null | object): void => this.finish(r !== null && 'error' in r ? (r as { error: string }).error : null);
    switch (s.op) {
      case 'format':
        return this.qjm.format(cb);
      case 'recover':
        return this.qjm.recoverUnfinalizedSegments(cb);
      case 'start':
        this.segment = s.txid;
        this.nextTxId = s.txid;
        return this.qjm.startLogSegment(s.txid, NS.layoutVersion, (r) => {
          if (r !== null) return cb(r);
          this.write([{ op: 'OP_START_LOG_SEGMENT' }], cb);
        });
      case 'edits':
        return this.write(s.bodies, cb);
      case 'finalize': {
        const start = this.segment!;
        return this.write([{ op: 'OP_END_LOG_SEGMENT' }], (r) => {
          if (r !== null) return cb(r);
          this.qjm.finalizeLogSegment(start, this.nextTxId - 1, cb);
        });
      }
    }
  }

  private write(bodies: readonly OpBody[], done: (r: { readonly error: string } | null) => void): void {
    const first = this.nextTxId;
    const recs = bodies.map((b, k) => encodeOp({ ...b, txid: (first + k) as TxId } as EditOp));
    const all = new Uint8Array(recs.reduce((n, r) => n + r.length, 0));
    let o = 0;
    for (const r of recs) {
      all.set(r, o);
      o += r.length;
    }
    this.nextTxId += bodies.length;
    this.qjm.sendEdits(this.segment!, first, bodies.length, all, done);
  }

  onMessage(from: ProcessId, msg: QJournalMessage): void {
    this.qjm.onResponse(this.ctx.nameOf(from), msg as QJournalResponse);
  }

  onTimer(tag: QjmTimer | 'step'): void {
    if (isQjmTimer(tag)) return this.qjm.onTimer(tag);
    this.run(this.steps[this.i]!);
  }

  onDisconnect(peer: ProcessId): void {
    this.qjm.onDisconnect(this.ctx.nameOf(peer));
  }

  inspect(): Json {
    return { ...this.qjm.inspect(), step: this.i, results: this.results.map((r) => `${r.op}: ${r.error ?? 'ok'}`) };
  }
}

export interface HaWorldOptions {
  readonly seed?: number;
  readonly journal?: (disk: DiskView, journalId: string, events: JournalEvents) => Journal;
  readonly writers: { readonly [name: string]: readonly WriterStep[] };
}

export function haWorld(opts: HaWorldOptions): { world: World; writer: (n: string) => ScriptedWriter; jn: (n: string) => JournalNode } {
  const world = new World({ seed: opts.seed ?? 1, config: resolveConfig(hdfsSchema, {}, {}), network: constantNetwork(200), trace: null });
  for (const jn of JNS) {
    world.addHost(jn, { rack: '/rack-1' });
    world.addProcess(jn, jn, journalNodeFactory({ journalId: 'mycluster', ...(opts.journal !== undefined ? { journal: opts.journal } : {}) }), { system: 'hdfs', role: 'journalnode' });
  }
  for (const [name, steps] of Object.entries(opts.writers)) {
    world.addHost(name, { rack: '/rack-1' });
    world.addProcess(name, name, (ctx) => new ScriptedWriter(ctx, steps), { system: 'hdfs', role: 'namenode' });
  }
  world.addChecker(hdfsOneWriterChecker({ journalNodes: JNS }));
  return { world, writer: (n) => world.actor<ScriptedWriter>(n)!, jn: (n) => world.actor<JournalNode>(n)! };
}

/** A JournalNode with a broken fence: it takes requests from writers below its promised epoch. */
export class BrokenFenceJournal extends Journal {
  protected override epochBelowPromiseRefused(): boolean {
    return false;
  }
}

export function mkdirs(...paths: string[]): OpBody[] {
  return paths.map((path, i) => ({ op: 'OP_MKDIR', inodeId: 16386 + i, path, mtimeMs: 0 }));
}
