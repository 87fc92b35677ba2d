// What the HA parts tell the checkers (the typed observation map, sim/core/observation.ts);
// checkers/one-writer.ts reads these.

export interface HdfsHaObservations {
  /** A JournalNode's promised or writer epoch changed, once durable (Journal.updateLastPromisedEpoch, startLogSegment). */
  'hdfs-jn-promise': { readonly journal: string; readonly promised: number; readonly writer: number };
  /**
   * A JournalNode made edit records durable under a writer epoch: a journal() batch, a new segment
   * (no records), or a segment downloaded by acceptRecovery (its records from the start). `crcs`
   * are the CRC32s of the records of txids firstTxId, firstTxId + 1, ...
   */
  'hdfs-jn-write': {
    readonly journal: string;
    readonly what: 'journal' | 'startLogSegment' | 'acceptRecovery';
    readonly epoch: number;
    readonly segmentTxId: number;
    readonly firstTxId: number;
    readonly crcs: readonly number[];
  };
  /** An HA NameNode entered a state: standby (at start, or after a failed transition) or active (with its epoch and the txid it serves from). */
  'hdfs-ha-state': { readonly nn: string; readonly state: 'standby' | 'active'; readonly epoch: number; readonly lastAppliedTxId: number };
  /** The active NameNode's edits reached a quorum of JournalNodes (its answers wait for this): first txid, record CRC32s. */
  'hdfs-ha-synced': { readonly nn: string; readonly epoch: number; readonly firstTxId: number; readonly crcs: readonly number[] };
  /** A NameNode applied edits read from the JournalNodes (tailing, or catching up during failover). */
  'hdfs-ha-applied': { readonly nn: string; readonly firstTxId: number; readonly crcs: readonly number[] };
}

declare module '../../core/observation.ts' {
  interface Observations extends HdfsHaObservations {}
}

export const HDFS_HA_OBSERVATIONS: { readonly [K in keyof HdfsHaObservations]: string } = {
  'hdfs-jn-promise': 'a JournalNode durably changed its promised or writer epoch',
  'hdfs-jn-write': 'a JournalNode made edit records durable under a writer epoch (journal, new segment, or recovery download)',
  'hdfs-ha-state': 'an HA NameNode entered standby or active (epoch, txid it serves from)',
  'hdfs-ha-synced': 'the active NameNode\'s edits reached a quorum of JournalNodes',
  'hdfs-ha-applied': 'a NameNode applied edits read from the JournalNodes',
};
