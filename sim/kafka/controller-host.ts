import type { Rng } from '../core/rng.ts';
import type { ObservationData, ObservationKind } from '../core/observation.ts';
import type { ZkClient } from '../zookeeper/client.ts';
import type { TopicSpec } from './broker.ts';
import type { BrokerSettings } from './config.ts';
import type { ControllerToBroker, ErrorCode } from './messages.ts';

// The seam between the controller (controller.ts and its parts controller-*.ts) and the broker that
// hosts it (broker-zk.ts): what the controller may use of its broker, and its timers.

export type ShutdownReply = (error: ErrorCode, partitionsRemaining: readonly string[]) => void;

export type ControllerTimer = { readonly c: 'rebalance' } | { readonly c: 'retry' } | { readonly c: 'resend' };

export interface ControllerHost {
  readonly brokerId: number;
  readonly zk: ZkClient;
  readonly settings: BrokerSettings;
  readonly topics: readonly TopicSpec[];
  readonly expectedBrokers: number;
  readonly rng: Rng;
  readonly tracing: boolean;
  sendToBroker(id: number, msg: ControllerToBroker, bytes: number): void;
  observe<K extends ObservationKind>(kind: K, data: ObservationData<K>): void;
  annotate(text: string): void;
  setTimer(delayMs: number, tag: ControllerTimer): number;
  resign(why: string): void;
  nowMs(): number;
}
