import type { Resource } from './resource.ts';
import type { ResourceRequest } from './scheduler/types.ts';
import type { AppSpec, LaunchSpec } from './workload.ts';

// The wire messages of YARN's protocols, in Hadoop's RPC names: ResourceTracker (NodeManager ->
// RM), ApplicationMasterProtocol (AM -> RM), ContainerManagementProtocol (RM's AM launcher and
// AMs -> NodeManager) and ApplicationClientProtocol (client -> RM). An AM runs inside its
// NodeManager's process, so AM-side messages carry the attempt id they belong to.

/** ContainerExitStatus (Hadoop's constants). */
export const ExitStatus = {
  SUCCESS: 0,
  /** The task itself failed (a non-zero exit of the container's process). */
  FAILED: 1,
  INVALID: -1000,
  /** Released by the RM: lost node, expired allocation, released by the AM. */
  ABORTED: -100,
  DISKS_FAILED: -101,
  PREEMPTED: -102,
  KILLED_BY_APPMASTER: -105,
  KILLED_BY_RESOURCEMANAGER: -106,
  KILLED_AFTER_APP_COMPLETION: -107,
} as const;

/** Exit statuses that do not count toward yarn.resourcemanager.am.max-attempts (RMAppAttemptImpl.shouldCountTowardsMaxAttemptRetry). */
export const NOT_COUNTED_EXITS: ReadonlySet<number> = new Set([ExitStatus.PREEMPTED, ExitStatus.ABORTED, ExitStatus.DISKS_FAILED, ExitStatus.KILLED_BY_RESOURCEMANAGER]);

export interface ContainerStatus {
  readonly containerId: string;
  readonly state: 'RUNNING' | 'COMPLETE';
  readonly exitStatus: number;
  readonly diagnostics?: string;
}

/** A granted container as the AM sees it (Container: id, node, resource, priority). */
export interface ContainerGrant {
  readonly id: string;
  readonly nodeId: string;
  /**
   * The port of the NodeManager incarnation the container was allocated on: the container token's
   * NodeId is host:port, and an NM started afresh listens on a new ephemeral port
   * (yarn.nodemanager.address defaults to port 0), so a token from before its restart is refused.
   */
  readonly nodePort: number;
  /**
   * The container token's expiryTimeStamp (simulated us): allocation time plus
   * yarn.resourcemanager.rm.container-allocation.expiry-interval-ms (RMContainerTokenSecretManager).
   */
  readonly tokenExpiryUs: number;
  /** The NodeManager process that runs it. */
  readonly nm: string;
  readonly resource: Resource;
  readonly priority: number;
}

// ---------------------------------------------------------------- ResourceTracker

export interface RegisterNodeManager {
  readonly type: 'RegisterNodeManager';
  readonly nodeId: string;
  readonly host: string;
  readonly rack: string;
  /** This NM incarnation's port (its NodeId is host:port). */
  readonly port: number;
  readonly capability: Resource;
  /** Containers still running (empty: an NM without recovery restarts with none). */
  readonly running: readonly ContainerStatus[];
}

export interface RegisterNodeManagerResponse {
  readonly type: 'RegisterNodeManagerResponse';
  readonly nodeAction: 'NORMAL' | 'SHUTDOWN';
  readonly heartbeatIntervalMs: number;
  readonly diagnostics: string;
}

export interface NodeHeartbeat {
  readonly type: 'NodeHeartbeat';
  readonly nodeId: string;
  readonly responseId: number;
  readonly statuses: readonly ContainerStatus[];
  readonly healthy: boolean;
  /** NodeHealthStatus.healthReport: why the node is unhealthy ('' when healthy). */
  readonly healthReport: string;
}

export interface NodeHeartbeatResponse {
  readonly type: 'NodeHeartbeatResponse';
  readonly responseId: number;
  readonly nodeAction: 'NORMAL' | 'RESYNC' | 'SHUTDOWN';
  readonly containersToCleanup: readonly string[];
  /** Completed containers the RM has recorded: the NM may forget them. */
  readonly containersToBeRemovedFromNM: readonly string[];
}

// ---------------------------------------------------------------- ContainerManagementProtocol

export interface StartContainers {
  readonly type: 'StartContainers';
  /** 'rm' for the AM container (ApplicationMasterLauncher), else the AM's attempt id. */
  readonly from: string;
  readonly attemptId: string;
  readonly container: ContainerGrant;
  readonly launch: LaunchSpec;
}

export interface StartContainersResponse {
  readonly type: 'StartContainersResponse';
  readonly attemptId: string;
  readonly containerId: string;
  readonly ok: boolean;
  readonly error: string;
}

export interface StopContainers {
  readonly type: 'StopContainers';
  readonly containerIds: readonly string[];
  readonly exitStatus: number;
}

// ---------------------------------------------------------------- ApplicationMasterProtocol

export interface RegisterApplicationMaster {
  readonly type: 'RegisterApplicationMaster';
  readonly attemptId: string;
}

export interface RegisterApplicationMasterResponse {
  readonly type: 'RegisterApplicationMasterResponse';
  readonly attemptId: string;
  readonly ok: boolean;
  readonly maximumCapability: Resource;
  readonly error: string;
}

export interface Allocate {
  readonly type: 'Allocate';
  readonly attemptId: string;
  readonly responseId: number;
  readonly ask: readonly ResourceRequest[];
  readonly release: readonly string[];
  readonly progress: number;
}

export interface AllocateResponse {
  readonly type: 'AllocateResponse';
  readonly attemptId: string;
  readonly responseId: number;
  readonly allocated: readonly ContainerGrant[];
  readonly completed: readonly ContainerStatus[];
  /** PreemptionMessage: containers the RM will take back. */
  readonly preempt: readonly string[];
  readonly amCommand: 'AM_RESYNC' | 'AM_SHUTDOWN' | null;
  readonly numClusterNodes: number;
}

export interface FinishApplicationMaster {
  readonly type: 'FinishApplicationMaster';
  readonly attemptId: string;
  readonly finalStatus: 'SUCCEEDED' | 'FAILED' | 'KILLED';
  readonly diagnostics: string;
}

export interface FinishApplicationMasterResponse {
  readonly type: 'FinishApplicationMasterResponse';
  readonly attemptId: string;
  readonly unregistered: boolean;
}

// ---------------------------------------------------------------- ApplicationClientProtocol

export interface GetNewApplication {
  readonly type: 'GetNewApplication';
  readonly requestId: number;
}

export interface GetNewApplicationResponse {
  readonly type: 'GetNewApplicationResponse';
  readonly requestId: number;
  readonly appId: string;
  readonly maximumCapability: Resource;
}

export interface SubmitApplication {
  readonly type: 'SubmitApplication';
  readonly appId: string;
  readonly spec: AppSpec;
}

export interface SubmitApplicationResponse {
  readonly type: 'SubmitApplicationResponse';
  readonly appId: string;
  readonly error: string | null;
}

export interface GetApplicationReport {
  readonly type: 'GetApplicationReport';
  readonly appId: string;
}

export type YarnAppState = 'NEW' | 'NEW_SAVING' | 'SUBMITTED' | 'ACCEPTED' | 'RUNNING' | 'FINISHED' | 'FAILED' | 'KILLED';
export type FinalStatus = 'UNDEFINED' | 'SUCCEEDED' | 'FAILED' | 'KILLED';

export interface ApplicationReport {
  readonly type: 'ApplicationReport';
  readonly appId: string;
  readonly known: boolean;
  readonly state: YarnAppState;
  readonly finalStatus: FinalStatus;
  readonly attempts: number;
  readonly diagnostics: string;
}

export type ToRm =
  | RegisterNodeManager | NodeHeartbeat | StartContainersResponse
  | RegisterApplicationMaster | Allocate | FinishApplicationMaster
  | GetNewApplication | SubmitApplication | GetApplicationReport;

export type ToNm =
  | RegisterNodeManagerResponse | NodeHeartbeatResponse | StartContainers | StopContainers | StartContainersResponse
  | RegisterApplicationMasterResponse | AllocateResponse | FinishApplicationMasterResponse;

export type ToClient = GetNewApplicationResponse | SubmitApplicationResponse | ApplicationReport;

export type YarnMessage = ToRm | ToNm | ToClient;
