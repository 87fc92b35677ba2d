import type { Context } from '../core/actor.ts';
import type { DfsClient } from '../hdfs/client/client.ts';
import type { ClientCall, CallResult } from '../hdfs/client/rpc.ts';
import type { MrMessage } from './messages.ts';
import type { YarnMessage } from '../yarn/messages.ts';

// What the MapReduce service of a NodeManager gives the programs it runs (the MRAppMaster and the
// tasks): messages, callback timers, the NM's disk, the node's DFSClient, and container exit.

export interface MrHost {
  readonly ctx: Context;
  /** The node (host) name, as YARN knows it: w-N. */
  readonly nodeId: string;
  /** This NodeManager's process name: nm-N. */
  readonly nmName: string;
  send(to: string, m: MrMessage | YarnMessage, bytes: number): void;
  /** fn runs after delayUs (unless cancelled). */
  later(delayUs: number, fn: () => void): number;
  cancel(id: number): void;
  /** The node's DFSClient (created on first use). */
  dfs(): DfsClient;
  /** A ClientProtocol call through the node's DFSClient. */
  hdfs(req: ClientCall, done: (r: CallResult) => void): void;
  /** The container ends with this exit status. */
  exit(containerId: string, exitStatus: number, why: string): void;
  annotate(text: string): void;
}
