import type { ProcessId } from '../core/types.ts';
import type { AllocateResponse, ContainerStatus, NodeHeartbeatResponse, FinalStatus, YarnAppState } from './messages.ts';
import type { Resource } from './resource.ts';
import type { NodeType } from './scheduler/types.ts';
import type { AppSpec } from './workload.ts';

// The ResourceManager's records: RMNode, RMApp, RMAppAttempt and RMContainer with the states of
// RMNodeImpl, RMAppImpl, RMAppAttemptImpl and RMContainerImpl (the transitions live in rm-*.ts).

export type RMNodeState = 'RUNNING' | 'UNHEALTHY' | 'LOST' | 'REBOOTED';

export interface RMNode {
  readonly id: string;
  readonly host: string;
  readonly rack: string;
  readonly nm: ProcessId;
  /** The NM incarnation's port (NodeId host:port). */
  readonly port: number;
  readonly capability: Resource;
  state: RMNodeState;
  lastHeartbeatUs: number;
  registeredUs: number;
  /** The responseId of the last heartbeat response (the NM's next fresh heartbeat carries it). */
  responseId: number;
  /** That response, sent again to a duplicate heartbeat (ResourceTrackerService's lastNodeHeartbeatResponse). */
  lastResponse: NodeHeartbeatResponse | null;
  /** Containers the NM must kill, sent with the next heartbeat response. */
  cleanup: string[];
  /** Completed containers the RM recorded: the NM may forget them. */
  removeFromNm: string[];
  /** Live containers the RM placed on this node. */
  readonly containers: Set<string>;
}

export type RMContainerState = 'ALLOCATED' | 'ACQUIRED' | 'RUNNING' | 'COMPLETED' | 'RELEASED' | 'KILLED' | 'EXPIRED';

export interface RMContainer {
  readonly id: string;
  readonly appId: string;
  readonly attemptId: string;
  readonly nodeId: string;
  /** The port of the node incarnation it was allocated on (its container token's NodeId). */
  readonly nodePort: number;
  /** Its container token's expiry (allocation + the allocation expiry interval). */
  readonly tokenExpiryUs: number;
  readonly resource: Resource;
  readonly priority: number;
  readonly isAm: boolean;
  /** How the scheduler placed it (node-local, rack-local, off-switch): what a recovered request gives back. */
  readonly locality: NodeType;
  readonly queue: string;
  state: RMContainerState;
  readonly allocatedUs: number;
  /** When it entered ALLOCATED or ACQUIRED: the allocation expirer's clock. */
  expiryFromUs: number;
}

export type RMAppAttemptState = 'NEW' | 'SCHEDULED' | 'ALLOCATED' | 'LAUNCHED' | 'RUNNING' | 'FINISHING' | 'FINISHED' | 'FAILED' | 'KILLED';

export const FINAL_ATTEMPT_STATES: ReadonlySet<RMAppAttemptState> = new Set(['FINISHED', 'FAILED', 'KILLED']);
export const FINAL_APP_STATES: ReadonlySet<YarnAppState> = new Set(['FINISHED', 'FAILED', 'KILLED']);

export interface RMAppAttempt {
  readonly id: string;
  readonly appId: string;
  readonly num: number;
  state: RMAppAttemptState;
  amContainer: string | null;
  amNodeId: string | null;
  /** AMLivelinessMonitor's last ping (launch, register, each allocate). */
  lastPingUs: number;
  responseId: number;
  /** The last allocate() response, answered again to a repeated request (ApplicationMasterService's lastResponse). */
  lastResponse: AllocateResponse | null;
  /** Allocated since the last allocate() response. */
  newlyAllocated: RMContainer[];
  /** Completed since the last allocate() response. */
  justCompleted: ContainerStatus[];
  /** Marked for preemption since the last response. */
  preempt: string[];
  finalStatus: FinalStatus;
  diagnostics: string;
  /** The AM container's exit status once it completed. */
  amExitStatus: number | null;
  /** Whether this attempt's failure counts toward am.max-attempts. */
  counts: boolean;
  readonly startUs: number;
  /** Live containers of this attempt (RM's view). */
  readonly containers: Set<string>;
}

export interface RMApp {
  readonly id: string;
  readonly num: number;
  readonly spec: AppSpec;
  readonly client: ProcessId;
  queue: string;
  state: YarnAppState;
  finalStatus: FinalStatus;
  readonly attempts: RMAppAttempt[];
  readonly submittedUs: number;
  launchedUs: number;
  finishedUs: number;
  diagnostics: string;
}

export function currentAttempt(app: RMApp): RMAppAttempt | undefined {
  return app.attempts[app.attempts.length - 1];
}

export function appId(clusterTimestamp: number, num: number): string {
  return `application_${clusterTimestamp}_${String(num).padStart(4, '0')}`;
}

export function attemptId(app: string, num: number): string {
  return `appattempt_${app.slice('application_'.length)}_${String(num).padStart(6, '0')}`;
}
