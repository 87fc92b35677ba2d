import type { ActorFactory, Context } from '../../core/actor.ts';
import type { Json, ProcessId } from '../../core/types.ts';
import type { HdfsMessage } from '../messages.ts';
import type { EditOp } from '../namenode/edit-ops.ts';
import { NameNode, type NameNodeOptions, type NnTimer } from '../namenode/namenode.ts';
import { rpcBytes, type ClientProtocolResponse, type RemoteException, type RollEditLogRequest } from '../protocol.ts';
import type { TxId } from '../types.ts';
import './observations.ts';
import { HA_RPC_BYTES, type HaServiceMessage, type HaServiceRequest, type HaServiceResponse } from './ha-protocol.ts';
import { isQjmTimer, QuorumJournalManager, type QjmTimeouts, type QjmTimer } from './qjm.ts';
import { qjmRpcBytes, type NamespaceInfo, type QJournalMessage, type QJournalResponse } from './qjournal-protocol.ts';
import { QuorumEditLog } from './quorum-edit-log.ts';
import { isTailerTimer, JournalTailer, type TailerTimer } from './tailer.ts';

// A NameNode of an HA nameservice (Hadoop 3.3: NameNode with HAState, FSNamesystem's
// startStandbyServices / startActiveServices, EditLogTailer). It is the NameNode of namenode/ with
// the edit log on the JournalNodes:
//
// - It starts in standby (HA NameNodes always do). The standby answers ClientProtocol with
//   StandbyException; every `dfs.ha.tail-edits.period` its EditLogTailer reads the finalized
//   segments it has not applied from the JournalNodes (tailer.ts) and applies them; every
//   `dfs.ha.log-roll.period` it asks the other NameNode to roll its log (triggerActiveLogRoll:
//   NamenodeProtocol.rollEditLog), so that the active's edits reach finalized segments.
// - transitionToActive (FSNamesystem.startActiveServices): stop tailing, catch up on every
//   finalized edit (catchupDuringFailover), take a new epoch and recover the unfinalized segment on
//   the JournalNodes (QuorumJournalManager.recoverUnfinalizedSegments: this fences the previous
//   writer), catch up on the recovered segment, open a new segment (openForWrite) and start the
//   active services. From then on an answer to a mutation waits for a quorum of JournalNodes.
// - The first NameNode of the nameservice formats the JournalNodes when it formats its own storage
//   (`hdfs namenode -format` formats the shared edits dir); the other formats its storage with the
//   same namespaceID (bootstrapStandby), and learns the namespace from the JournalNodes.
// The block manager learns the blocks of the namespace when the NameNode becomes active (a walk of
// the namespace, as load() does); see README "HA" for what the standby does not do yet.

export interface HaNameNodeOptions extends NameNodeOptions {
  /** dfs.nameservices: the journal id too. */
  readonly nameservice: string;
  /** The other NameNode of the nameservice (dfs.ha.namenodes.<ns>). */
  readonly peer: string;
  /** The JournalNodes of dfs.namenode.shared.edits.dir. */
  readonly journalNodes: readonly string[];
  /** Formats the JournalNodes with its own storage (the first NameNode of dfs.ha.namenodes.<ns>). */
  readonly formatSharedEdits: boolean;
  /** dfs.ha.tail-edits.period. */
  readonly tailEditsPeriodUs: number;
  /** dfs.ha.log-roll.period. */
  readonly logRollPeriodUs: number;
  readonly qjmTimeouts: QjmTimeouts;
  /** Test seam: builds the writer's QuorumJournalManager (a planted bug that reports writes done early, for the checker's test). */
  readonly qjm?: (...args: ConstructorParameters<typeof QuorumJournalManager>) => QuorumJournalManager;
}

export type HaServiceState = 'initializing' | 'standby' | 'transitioning' | 'active';

type HaTimer = { readonly kind: 'ha-start' } | { readonly kind: 'ha-tail' } | { readonly kind: 'ha-roll' } | QjmTimer | TailerTimer;

const READ_RPCS = new Set(['getBlockLocations', 'getFileInfo', 'getListing']);

export class HaNameNode extends NameNode {
  haState: HaServiceState = 'initializing';
  private tailer!: JournalTailer;
  private writer: QuorumJournalManager | null = null;
  private tailing = false;
  private transitionWaiting: ((err: string | null) => void) | null = null;
  private readonly ha: HaNameNodeOptions;
  private peerRollCallId = 1;
  /** The epoch this NameNode wrote in, while active. */
  epoch = 0;

  constructor(ctx: Context, opts: HaNameNodeOptions) {
    super(ctx, opts);
    this.ha = opts;
  }

  /** Loaded (image only: an HA NameNode keeps no local edits): start in standby, on the next event. */
  protected override openForWrite(): void {
    this.ctx.setTimer(0, { kind: 'ha-start' } satisfies HaTimer);
  }

  private host(): { send: (jn: string, req: QJournalMessage) => void; setTimer: (d: number, t: QjmTimer | TailerTimer) => number; cancelTimer: (id: number) => void; annotate: (t: string) => void } {
    return {
      send: (jn, req) => this.ctx.send(this.ctx.lookup(jn), req, qjmRpcBytes(req)),
      setTimer: (d, t) => this.ctx.setTimer(d, t),
      cancelTimer: (id) => this.ctx.cancelTimer(id),
      annotate: (t) => this.fs.annotate(() => t),
    };
  }

  private get nsInfo(): NamespaceInfo {
    return { namespaceId: this.nsId, clusterId: 'CID-dsim', layoutVersion: this.settings.features.layoutVersion };
  }

  private start(): void {
    this.tailer = new JournalTailer(this.host(), this.ha.nameservice, this.ha.journalNodes, this.ha.qjmTimeouts.selectInputStreamsMs);
    const fresh = this.ctx.incarnation === 1 && this.ns.lastAppliedTxId === 0 && this.currentImageTxId === 0;
    if (!(this.ha.formatSharedEdits && fresh)) return this.enterStandby();
    this.fs.annotate(() => `formatting the shared edits dir qjournal://${this.ha.journalNodes.join(';')}/${this.ha.nameservice}`);
    const qjm = new QuorumJournalManager(this.host(), this.ha.nameservice, this.ha.journalNodes, this.nsInfo, this.ha.qjmTimeouts);
    this.writer = qjm;
    qjm.format((r) => {
      this.writer = null;
      if (r !== null) return this.fail(`formatting the shared edits failed: ${r.error}`);
      this.enterStandby();
    });
  }

  private enterStandby(): void {
    this.haState = 'standby';
    this.ctx.observe('hdfs-ha-state', { nn: this.ctx.name, state: 'standby', epoch: 0, lastAppliedTxId: this.ns.lastAppliedTxId });
    this.fs.annotate(() => 'entering standby state');
    this.ctx.setTimer(0, { kind: 'ha-tail' } satisfies HaTimer);
    this.ctx.setTimer(this.ha.logRollPeriodUs, { kind: 'ha-roll' } satisfies HaTimer);
  }

  // ------------------------------------------------------------------ tailing

  private applyOps = (ops: readonly EditOp[], crcs: readonly number[]): void => {
    if (ops.length === 0) return;
    for (const op of ops) this.ns.apply(op);
    this.ctx.observe('hdfs-ha-applied', { nn: this.ctx.name, firstTxId: ops[0]!.txid, crcs: [...crcs] });
  };

  private tail(done: (err: string | null) => void): void {
    this.tailing = true;
    this.tailer.catchUp((this.ns.lastAppliedTxId + 1) as TxId, this.applyOps, (r) => {
      this.tailing = false;
      done('error' in r ? r.error : null);
    });
  }

  // ------------------------------------------------------------------ transitions

  /** HAServiceProtocol.transitionToActive; `done` gets null once serving, or why it failed. */
  transitionToActive(done: (err: string | null) => void): void {
    if (this.haState === 'active') return done(null);
    if (this.haState !== 'standby') return done(`cannot transition to active from state ${this.haState}`);
    this.haState = 'transitioning';
    this.fs.annotate(() => 'transitioning to active: catching up on the shared edits');
    if (this.tailing) {
      this.transitionWaiting = done;
      return;
    }
    this.startActiveServices(done);
  }

  private startActiveServices(done: (err: string | null) => void): void {
    const back = (why: string): void => {
      this.writer = null;
      this.fs.annotate(() => `transition to active failed: ${why}`);
      this.enterStandby();
      done(why);
    };
    this.tail((e1) => {
      if (e1 !== null) return back(e1);
      const make = this.ha.qjm ?? ((...a: ConstructorParameters<typeof QuorumJournalManager>) => new QuorumJournalManager(...a));
      const qjm = make(this.host(), this.ha.nameservice, this.ha.journalNodes, this.nsInfo, this.ha.qjmTimeouts);
      this.writer = qjm;
      qjm.recoverUnfinalizedSegments((r) => {
        if ('error' in r) return back(r.error);
        this.epoch = r.epoch;
        this.tail((e2) => {
          if (e2 !== null) return back(e2);
          const log = new QuorumEditLog(
            this.ctx.disk, { fsync: (p, d) => this.fsync(p, d), fatal: (why) => this.fail(why) }, this.settings.features.layoutVersion,
            this.ns.lastAppliedTxId, (op) => this.ns.apply(op), qjm,
            { synced: (epoch, firstTxId, crcs) => this.ctx.observe('hdfs-ha-synced', { nn: this.ctx.name, epoch, firstTxId, crcs: [...crcs] }) },
          );
          this.log = log;
          // FSEditLogLoader would have told the block manager about each block: it learns them now.
          for (const n of this.ns.walk()) {
            if (n.kind !== 'file') continue;
            n.blocks.forEach((b, i) => {
              const uc = n.uc !== null && i === n.blocks.length - 1;
              this.bm.addBlockCollection({ blockId: b.blockId, genStamp: b.genStamp, numBytes: b.numBytes }, n.replication, n.id, uc ? 'UNDER_CONSTRUCTION' : 'COMPLETE', []);
            });
            if (n.uc !== null) this.leases.addLease(n.uc.clientName, n.id, this.ctx.localTimeUs());
          }
          log.startLogSegment(() => {
            this.haState = 'active';
            this.ctx.observe('hdfs-ha-state', { nn: this.ctx.name, state: 'active', epoch: this.epoch, lastAppliedTxId: this.ns.lastAppliedTxId });
            this.fs.annotate(() => `active in epoch ${this.epoch}, serving from txid ${this.ns.lastAppliedTxId}`);
            this.activate();
            done(null);
          });
        });
      });
    });
  }

  // ------------------------------------------------------------------ messages and timers

  /**
   * HAServiceProtocol.transitionToStandby (FSNamesystem.stopActiveServices + startStandbyServices):
   * the active ends its segment on the JournalNodes and goes back to tailing. If it was fenced, the
   * finalize fails and the NameNode terminates, as a fenced Hadoop NameNode does on its next write.
   */
  transitionToStandby(done: (err: string | null) => void): void {
    if (this.haState === 'standby') return done(null);
    if (this.haState !== 'active') return done(`cannot transition to standby from state ${this.haState}`);
    this.haState = 'transitioning';
    this.fs.annotate(() => 'transitioning to standby: ending the current segment');
    this.log.endCurrentLogSegment(() => {
      this.writer = null;
      this.phase = 'starting';
      this.epoch = 0;
      this.enterStandby();
      done(null);
    });
  }

  private onHaRequest(from: ProcessId, req: HaServiceRequest): void {
    const answer = (err: string | null, className = 'ServiceFailedException'): void => {
      const m: HaServiceResponse = err === null ? { type: 'haOk', callId: req.callId, rpc: req.type } : { type: 'haError', callId: req.callId, rpc: req.type, className, message: err };
      this.ctx.send(from, m, HA_RPC_BYTES);
    };
    switch (req.type) {
      case 'haMonitorHealth':
        // NameNode.monitorHealth: healthy once the RPC server is up (the namesystem loaded).
        return answer(this.haState === 'initializing' ? 'The NameNode is still starting' : null, 'HealthCheckFailedException');
      case 'haTransitionToActive':
        return this.transitionToActive((e) => answer(e));
      case 'haTransitionToStandby':
        return this.transitionToStandby((e) => answer(e));
      case 'haGetServiceStatus': {
        const m: HaServiceResponse = { type: 'haServiceStatus', callId: req.callId, state: this.haState };
        this.ctx.send(from, m, HA_RPC_BYTES);
        return;
      }
    }
  }

  override onMessage(from: ProcessId, msg: HdfsMessage | QJournalMessage | HaServiceMessage): void {
    if (msg.type === 'haMonitorHealth' || msg.type === 'haTransitionToActive' || msg.type === 'haTransitionToStandby' || msg.type === 'haGetServiceStatus') {
      if (this.phase === 'failed') return;
      return this.onHaRequest(from, msg as HaServiceRequest);
    }
    if (msg.type.startsWith('ha')) return;
    if (msg.type.startsWith('qjm')) {
      const m = msg as QJournalResponse;
      const jn = this.ctx.nameOf(from);
      if (this.writer?.onResponse(jn, m) === true) return;
      this.tailer?.onResponse(jn, m);
      return;
    }
    const hm = msg as HdfsMessage;
    if (this.haState === 'active') return super.onMessage(from, hm);
    if (hm.type === 'rollEditLogResponse' || hm.type === 'RemoteException') return; // the answer to our triggerActiveLogRoll
    if ('callId' in hm && isClientRpc(hm.type)) {
      const category = READ_RPCS.has(hm.type) ? 'READ' : 'WRITE';
      const m: ClientProtocolResponse = {
        type: 'RemoteException', callId: hm.callId, rpc: hm.type as RemoteException['rpc'], className: 'StandbyException',
        message: `Operation category ${category} is not supported in state standby. Visit https://s.apache.org/sbnn-error`,
      };
      this.ctx.send(from, m, rpcBytes(m));
      return;
    }
    if (hm.type === 'rollEditLog') {
      const m: HdfsMessage = { type: 'RemoteException', callId: hm.callId, rpc: 'rollEditLog', className: 'StandbyException', message: 'Operation category JOURNAL is not supported in state standby' };
      this.ctx.send(from, m, rpcBytes(m));
    }
  }

  override onTimer(t: NnTimer | HaTimer): void {
    if (isQjmTimer(t)) {
      this.writer?.onTimer(t);
      return;
    }
    if (isTailerTimer(t)) return this.tailer.onTimer(t);
    switch (t.kind) {
      case 'ha-start':
        return this.start();
      case 'ha-tail':
        if (this.haState !== 'standby') return;
        if (!this.tailing) {
          this.tail((err) => {
            if (err !== null) this.fs.annotate(() => `edit log tailer: ${err}`);
            const waiting = this.transitionWaiting;
            if (waiting !== null) {
              this.transitionWaiting = null;
              this.startActiveServices(waiting);
            }
          });
        }
        this.ctx.setTimer(this.ha.tailEditsPeriodUs, t);
        return;
      case 'ha-roll': {
        if (this.haState !== 'standby') return;
        const req: RollEditLogRequest = { type: 'rollEditLog', callId: this.peerRollCallId++ };
        this.fs.annotate(() => `triggering log roll on remote NameNode ${this.ha.peer}`);
        this.ctx.send(this.ctx.lookup(this.ha.peer), req, rpcBytes(req));
        this.ctx.setTimer(this.ha.logRollPeriodUs, t);
        return;
      }
      default:
        return super.onTimer(t);
    }
  }

  onDisconnect(peer: ProcessId): void {
    const name = this.ctx.nameOf(peer);
    this.writer?.onDisconnect(name);
    this.tailer?.onDisconnect(name);
  }

  override inspect(): Json {
    const base = super.inspect() as { [k: string]: Json };
    return { ...base, role: 'namenode', haState: this.haState, epoch: this.epoch, lastAppliedTxId: this.ns?.lastAppliedTxId ?? 0, qjm: this.writer?.inspect() ?? null };
  }
}

const CLIENT_RPC_NAMES = new Set([
  'mkdirs', 'create', 'addBlock', 'complete', 'abandonBlock', 'getBlockLocations', 'getAdditionalDatanode', 'renewLease',
  'updateBlockForPipeline', 'updatePipeline', 'recoverLease', 'fsync', 'delete', 'rename', 'getFileInfo', 'getListing',
  'setReplication', 'reportBadBlocks', 'setSafeMode', 'saveNamespace',
]);

function isClientRpc(t: string): boolean {
  return CLIENT_RPC_NAMES.has(t);
}

export function haNameNodeFactory(opts: HaNameNodeOptions): ActorFactory {
  return (ctx) => new HaNameNode(ctx, opts);
}
