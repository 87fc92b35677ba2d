import type { ProcessId } from '../../core/types.ts';
import {
  dnRpcBytes, type DatanodeCommand, type DatanodeProtocolRequest, type DatanodeProtocolResponse, type ReceivedDeletedBlockInfo,
  type ReportedReplica,
} from '../protocol-dn.ts';
import type { Block, DatanodeName } from '../types.ts';

// BPServiceActor: the DataNode's conversation with its NameNode (one block pool, one NameNode).
// register -> full block report (after dfs.blockreport.initialDelay) -> heartbeats every
// dfs.heartbeat.interval, whose answers carry DatanodeCommands; incremental block reports
// (blockReceivedAndDeleted) go out as soon as a replica is received or deleted
// (dfs.blockreport.incremental.intervalMsec = 0); a full report every dfs.blockreport.intervalMsec.
// A failed call (connection lost, no answer in time) is retried on the next heartbeat tick; an
// UnregisteredNodeException or DNA_REGISTER makes the actor register again and send a full report.

export interface BpHost {
  readonly name: DatanodeName;
  readonly hostName: string;
  readonly storageId: string;
  nowUs(): number;
  namenode(): ProcessId;
  send(to: ProcessId, m: DatanodeProtocolRequest, bytes: number): void;
  /** Closes the stream to the NameNode (an RPC timed out). */
  closeNamenodeConnection(): void;
  setTimer(delayUs: number, tag: BpTimer): void;
  replicasForReport(): ReportedReplica[];
  storage(): { capacity: number; dfsUsed: number; remaining: number };
  xceiverCount(): number;
  xmitsInProgress(): number;
  /** Runs the commands of a heartbeat answer (BPOfferService.processCommandFromActive). */
  execute(cmds: readonly DatanodeCommand[]): void;
  annotate(text: string): void;
}

export type BpTimer = { readonly kind: 'bp-heartbeat' } | { readonly kind: 'bp-block-report' };

interface Outstanding {
  readonly req: DatanodeProtocolRequest;
  readonly sentUs: number;
}

export class BPServiceActor {
  registered = false;
  private nextCallId = 1;
  private readonly outstanding = new Map<number, Outstanding>();
  /** IBR entries waiting to be sent (or re-sent after a failed call). */
  private pendingIbr: ReceivedDeletedBlockInfo[] = [];
  private ibrInFlight: ReceivedDeletedBlockInfo[] = [];
  private fullReportDue = true;
  private lastFullReportUs = -Infinity;
  heartbeatsSent = 0;
  fullReportsSent = 0;

  constructor(
    private readonly host: BpHost,
    private readonly heartbeatIntervalUs: number,
    private readonly blockReportIntervalUs: number,
    private readonly initialDelayUs: number,
    /** An RPC without an answer for this long is abandoned (ipc timeout). */
    private readonly rpcTimeoutUs: number,
  ) {}

  start(): void {
    this.register();
    this.host.setTimer(this.heartbeatIntervalUs, { kind: 'bp-heartbeat' });
  }

  private call(req: DatanodeProtocolRequest): void {
    this.outstanding.set(req.callId, { req, sentUs: this.host.nowUs() });
    this.host.send(this.host.namenode(), req, dnRpcBytes(req));
  }

  private register(): void {
    this.registered = false;
    for (const [id, o] of this.outstanding) if (o.req.type === 'registerDatanode') this.outstanding.delete(id);
    this.call({
      type: 'registerDatanode', callId: this.nextCallId++,
      registration: { datanode: this.host.name, hostName: this.host.hostName, storageId: this.host.storageId },
    });
  }

  /** Queues an incremental report entry and sends at once if registered. */
  notify(block: Block, status: ReceivedDeletedBlockInfo['status'], delHint: DatanodeName | null): void {
    this.pendingIbr.push({ block, status, delHint });
    this.sendIbr();
  }

  private sendIbr(): void {
    if (!this.registered || this.pendingIbr.length === 0 || this.ibrInFlight.length > 0) return;
    this.ibrInFlight = this.pendingIbr;
    this.pendingIbr = [];
    this.call({ type: 'blockReceivedAndDeleted', callId: this.nextCallId++, datanode: this.host.name, storageId: this.host.storageId, blocks: this.ibrInFlight });
  }

  private sendFullReport(): void {
    this.fullReportDue = false;
    this.lastFullReportUs = this.host.nowUs();
    this.fullReportsSent++;
    this.call({ type: 'blockReport', callId: this.nextCallId++, datanode: this.host.name, storageId: this.host.storageId, replicas: this.host.replicasForReport() });
  }

  onTimer(t: BpTimer): void {
    if (t.kind === 'bp-block-report') {
      if (this.registered) this.sendFullReport();
      return;
    }
    this.host.setTimer(this.heartbeatIntervalUs, { kind: 'bp-heartbeat' });
    this.expireCalls();
    if (!this.registered) {
      if (![...this.outstanding.values()].some((o) => o.req.type === 'registerDatanode')) this.register();
      return;
    }
    if (this.host.nowUs() - this.lastFullReportUs >= this.blockReportIntervalUs) this.fullReportDue = true;
    if (this.fullReportDue && ![...this.outstanding.values()].some((o) => o.req.type === 'blockReport')) this.sendFullReport();
    this.sendIbr();
    this.heartbeat();
  }

  private heartbeat(): void {
    if ([...this.outstanding.values()].some((o) => o.req.type === 'sendHeartbeat')) return;
    const s = this.host.storage();
    this.heartbeatsSent++;
    this.call({
      type: 'sendHeartbeat', callId: this.nextCallId++, datanode: this.host.name,
      storage: { storageId: this.host.storageId, failed: false, capacity: s.capacity, dfsUsed: s.dfsUsed, remaining: s.remaining },
      xceiverCount: this.host.xceiverCount(), xmitsInProgress: this.host.xmitsInProgress(), failedVolumes: 0,
    });
  }

  /**
   * A call unanswered for the RPC timeout closes the NameNode connection (ipc.Client's
   * Connection.markClosed): every outstanding call fails (IBR entries go back to the queue) and the
   * next call opens a new connection, which a healed network carries at once.
   */
  private expireCalls(): void {
    const now = this.host.nowUs();
    let expired = false;
    for (const o of this.outstanding.values()) if (now - o.sentUs >= this.rpcTimeoutUs) expired = true;
    if (!expired) return;
    this.host.closeNamenodeConnection();
    this.onDisconnect();
  }

  private failed(req: DatanodeProtocolRequest): void {
    if (req.type === 'blockReceivedAndDeleted') {
      this.pendingIbr = [...this.ibrInFlight, ...this.pendingIbr];
      this.ibrInFlight = [];
    } else if (req.type === 'blockReport') this.fullReportDue = true;
  }

  /** The NameNode connection closed: every outstanding call failed. */
  onDisconnect(): void {
    for (const o of this.outstanding.values()) this.failed(o.req);
    this.outstanding.clear();
  }

  onResponse(m: DatanodeProtocolResponse): void {
    const o = this.outstanding.get(m.callId);
    if (o === undefined) return;
    this.outstanding.delete(m.callId);
    if (m.error === 'UnregisteredNodeException') {
      this.host.annotate(`${this.host.name}: NameNode does not know us (${m.errorMessage}); registering again`);
      this.failed(o.req);
      this.fullReportDue = true;
      this.register();
      return;
    }
    if (m.error !== null) {
      this.failed(o.req);
      return;
    }
    switch (m.type) {
      case 'registerDatanodeResponse':
        this.registered = true;
        this.fullReportDue = true;
        this.host.annotate(`${this.host.name} registered with the NameNode`);
        // The first full report after registration, delayed by initialDelay (BPServiceActor.scheduleBlockReport).
        if (this.initialDelayUs > 0) {
          this.fullReportDue = false;
          this.host.setTimer(this.initialDelayUs, { kind: 'bp-block-report' });
        } else this.sendFullReport();
        this.sendIbr();
        // The first heartbeat goes out at once (BPServiceActor.offerService: lastHeartbeat starts at 0).
        this.heartbeat();
        return;
      case 'blockReceivedAndDeletedResponse':
        this.ibrInFlight = [];
        this.sendIbr();
        return;
      case 'heartbeatResponse':
        if (m.commands.some((c) => c.action === 'DNA_REGISTER')) {
          this.fullReportDue = true;
          this.register();
        }
        this.host.execute(m.commands.filter((c) => c.action !== 'DNA_REGISTER'));
        return;
      default:
        return;
    }
  }

  /** DatanodeProtocol.reportBadBlocks (block scanner, corrupt transfer source). */
  reportBadBlocks(block: Block, datanodes: readonly DatanodeName[]): void {
    this.call({ type: 'datanodeReportBadBlocks', callId: this.nextCallId++, datanode: this.host.name, blocks: [{ block, datanodes }] });
  }

  commitBlockSynchronization(req: Omit<Extract<DatanodeProtocolRequest, { type: 'commitBlockSynchronization' }>, 'callId' | 'type' | 'datanode'>): void {
    this.call({ type: 'commitBlockSynchronization', callId: this.nextCallId++, datanode: this.host.name, ...req });
  }
}
