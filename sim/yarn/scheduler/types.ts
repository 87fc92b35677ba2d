import type { Json } from '../../core/types.ts';
import type { Resource } from '../resource.ts';

// The vocabulary shared by the three schedulers and the ResourceManager.

/** resourceName of a request that any node satisfies (ResourceRequest.ANY). */
export const ANY = '*';

/** An AM's ask (ResourceRequest): `numContainers` outstanding at this priority and location. */
export interface ResourceRequest {
  /** Lower numbers are served first (MapReduce: AM 0, fast-fail maps 5, reduces 10, maps 20). */
  readonly priority: number;
  /** A host name, a rack (/rack-1) or '*'. */
  readonly resourceName: string;
  readonly capability: Resource;
  readonly numContainers: number;
  /** false on a host or rack ask: the next level up may not be used for this priority. */
  readonly relaxLocality: boolean;
}

export type NodeType = 'NODE_LOCAL' | 'RACK_LOCAL' | 'OFF_SWITCH';

/** A container the scheduler handed out: where, to whom, how big. */
export interface SchedContainer {
  readonly id: string;
  readonly appId: string;
  readonly attemptId: string;
  readonly nodeId: string;
  readonly resource: Resource;
  readonly priority: number;
  readonly isAm: boolean;
  readonly locality: NodeType;
  readonly allocatedUs: number;
  /** Allocation order within the application (preemption takes the newest first). */
  readonly seq: number;
}

/** What the RM tells the scheduler about a new application attempt. */
export interface AppSubmission {
  readonly appId: string;
  readonly attemptId: string;
  /** Application number (submission order across the cluster: FIFO order). */
  readonly appNum: number;
  readonly queue: string;
  readonly user: string;
  readonly amResource: Resource;
}

export interface PreemptionDecision {
  /** Newly marked: the AM should give these back (PreemptionMessage). */
  readonly marked: readonly SchedContainer[];
  /** The grace is over: the RM kills these with exit status PREEMPTED. */
  readonly kill: readonly SchedContainer[];
}

export interface QueueView {
  readonly name: string;
  readonly leaf: boolean;
  readonly used: Resource;
  readonly pending: Resource;
  /** Capacity: guaranteed (absolute capacity of the cluster); Fair: steady fair share. */
  readonly guaranteed: Resource;
  /** Capacity: absolute maximum capacity; Fair: maxResources. */
  readonly maximum: Resource;
  /** Fair: instantaneous fair share; Capacity: same as guaranteed. */
  readonly fairShare: Resource;
  /** Capacity: percent of the parent; Fair: weight. */
  readonly capacityOrWeight: number;
  readonly apps: number;
  readonly extra?: Json;
}

/** The scheduler as the ResourceManager uses it (YarnScheduler / ResourceScheduler). */
export interface YarnScheduler {
  readonly kind: 'fifo' | 'capacity' | 'fair';
  addNode(nodeId: string, host: string, rack: string, capability: Resource): void;
  /** The node is gone: returns its containers, already released from the scheduler. */
  removeNode(nodeId: string): SchedContainer[];
  /** Returns an error text (unknown queue and the like) or null; the AM ask is added at priority 0. */
  addApp(sub: AppSubmission, nowUs: number): string | null;
  /** Returns the attempt's live containers, already released. */
  removeApp(attemptId: string): SchedContainer[];
  /** allocate(): replaces the outstanding asks at each (priority, resourceName). */
  updateAsks(attemptId: string, asks: readonly ResourceRequest[]): void;
  /** A container completed, was released, killed or expired: its resources return. */
  completeContainer(containerId: string): SchedContainer | null;
  /**
   * AbstractYarnScheduler.recoverResourceRequestForContainer: a container that ends before its
   * application pulled it (RMContainer still ALLOCATED) gives its request back: the asks it took at
   * its locality (node, rack, '*') are outstanding again, since the AM never learns of it.
   */
  recoverRequest(attemptId: string, priority: number, capability: Resource, host: string, rack: string, locality: NodeType): void;
  /** NODE_UPDATE: new containers on this node. */
  nodeUpdate(nodeId: string, nowUs: number): SchedContainer[];
  /** Periodic work: fair shares, preemption monitors. */
  update(nowUs: number): PreemptionDecision;
  /** Milliseconds between update() calls, or 0 when the scheduler needs none. */
  readonly updateIntervalMs: number;
  queues(): QueueView[];
  /** A queue's maximum (QueueView.maximum) without building every view: checkers call it per allocation. */
  queueMaximum(name: string): Resource | undefined;
  container(id: string): SchedContainer | undefined;
  /** The queue an attempt was placed in (Fair may place by user), or undefined. */
  queueOf(attemptId: string): string | undefined;
  /** Checks every internal sum (node allocated, queue used) against a recount; throws on mismatch. */
  checkInvariants(): void;
}
