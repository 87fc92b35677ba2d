// What Kafka's brokers and controller tell the checkers, kind by kind (the typed observation map:
// sim/core/observation.ts). The checkers in checkers/ read these; the trace keeps them as `obs` lines.

export interface KafkaObservations {
  /** A replica's log end moved down (follower truncation: to the HW, to the leader epoch end offset, or to 0 on a new replica). */
  'kafka-truncate': { readonly tp: string; readonly broker: number; readonly offset: number };
  /** A batch appended at a leader or a follower, with its CRC (the shadow logs compare replicas by it). */
  'kafka-append': { readonly tp: string; readonly broker: number; readonly base: number; readonly last: number; readonly crc: number };
  /**
   * A broker started: each log's end offset after recovery, whether the previous shutdown was
   * clean, whether leader epochs are in use (IBP >= 0.11.0-IV2), and per log the latest epoch of
   * its leader-epoch cache next to the epoch stamped on its last batch.
   */
  'kafka-broker-start': {
    readonly broker: number; readonly logs: { readonly [tp: string]: number }; readonly cleanShutdown: boolean;
    readonly leaderEpochs: boolean; readonly epochs: { readonly [tp: string]: { readonly cached: number; readonly stamped: number } };
  };
  /** A broker won the controller election with this controller epoch. */
  'kafka-controller': { readonly broker: number; readonly epoch: number };
  /**
   * A new ISR written to ZooKeeper, by the partition leader (shrink, expand; before 2.7-IV2), the
   * controller (election, shutdown) or the controller on a leader's AlterIsr (2.7-IV2+, KIP-497).
   */
  'kafka-isr': {
    readonly tp: string; readonly leader: number; readonly leaderEpoch: number; readonly isr: readonly number[];
    readonly zkVersion: number; readonly by: 'controller' | 'leader' | 'alter-isr';
  };
  /** The controller finished a controlled shutdown: partitions moved, still led, ISRs the broker left. */
  'kafka-controlled-shutdown': { readonly broker: number; readonly moved: readonly string[]; readonly remaining: readonly string[]; readonly isrRemovals: readonly string[] };
  /** A broker became leader of a partition (Partition.makeLeader). */
  'kafka-leader': { readonly tp: string; readonly broker: number; readonly leaderEpoch: number; readonly isr: readonly number[]; readonly leo: number };
  /** A leader advanced its high watermark. */
  'kafka-hw': { readonly tp: string; readonly broker: number; readonly hw: number; readonly leaderEpoch: number };
  /** A step of a broker's shutdown (SIGTERM): controlled shutdown started, retried, done, or given up (unclean). */
  'kafka-shutdown': { readonly broker: number; readonly phase: 'controlled' | 'unclean' | 'controlled-done' | 'stopping' | 'exit'; readonly attempts?: number };
}

declare module '../core/observation.ts' {
  interface Observations extends KafkaObservations {}
}

/** One line per kind (the System lists them; `describe` and the viewer show them). */
export const KAFKA_OBSERVATIONS: { readonly [K in keyof KafkaObservations]: string } = {
  'kafka-truncate': 'a replica truncated its log to this offset',
  'kafka-append': 'a batch appended at a replica (offsets and CRC)',
  'kafka-broker-start': 'a broker started: log end offsets after recovery, clean shutdown or not',
  'kafka-controller': 'a broker became controller with this epoch',
  'kafka-isr': 'a new ISR written to ZooKeeper, by the leader or the controller',
  'kafka-controlled-shutdown': 'the controller finished moving leadership off a stopping broker',
  'kafka-leader': 'a broker became leader of a partition',
  'kafka-hw': 'a leader advanced its high watermark',
  'kafka-shutdown': 'a step of a broker\'s orderly shutdown',
};
