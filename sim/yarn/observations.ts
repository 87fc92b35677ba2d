// What the YARN processes tell the checkers (the typed observation map: sim/core/observation.ts).

export interface YarnObservations {
  /** RM: a container changed state (ALLOCATED, then one final state). exitStatus -1000 while live. */
  'yarn-container': {
    readonly id: string; readonly app: string; readonly node: string; readonly state: string; readonly exitStatus: number;
    readonly memoryMb: number; readonly vcores: number; readonly queue: string; readonly am: boolean;
  };
  /** RM: a node registered (RUNNING), was LOST or re-registered (REBOOTED). */
  'yarn-node': { readonly node: string; readonly state: string; readonly memoryMb: number; readonly vcores: number; readonly lastHeartbeatMs: number; readonly expiryMs: number };
  /** RM: an application attempt changed state. */
  'yarn-attempt': { readonly app: string; readonly attempt: string; readonly state: string };
  /** RM: an application was submitted or ended. */
  'yarn-app': { readonly app: string; readonly state: string; readonly finalStatus: string; readonly queue: string; readonly user: string };
  /** NodeManager: a container started (RUNNING) or ended (COMPLETE) on this node: what the node actually runs. */
  'yarn-nm-container': {
    readonly node: string; readonly id: string; readonly state: string; readonly exitStatus: number;
    readonly memoryMb: number; readonly vcores: number; readonly capacityMb: number; readonly capacityVcores: number;
  };
  /** An ApplicationMaster registered with the RM. */
  'yarn-am': { readonly app: string; readonly attempt: string; readonly state: string };
}

declare module '../core/observation.ts' {
  interface Observations extends YarnObservations {}
}
