// What the NameNode tells the checkers (the typed observation map, sim/core/observation.ts);
// checkers/namespace-durability.ts reads these. Digests are Namespace.digest(): equal namespaces,
// equal digests.

export interface NameNodeObservations {
  /** A namespace mutation was answered, after the fsync of its txid; the digest after it (null when later ops were already logged). */
  'hdfs-nn-op-acked': { readonly txid: number; readonly what: string; readonly digest: string | null };
  /** Startup loaded image + edits: the last txid, the image it started from, the namespace digest, the segments replayed. */
  'hdfs-nn-loaded': { readonly lastTxId: number; readonly imageTxId: number; readonly digest: string; readonly segments: readonly (readonly [number, number])[] };
  /** A segment was finalized by a roll (rollEditLog, saveNamespace), with the namespace digest at its end. */
  'hdfs-nn-segment': { readonly start: number; readonly end: number; readonly digest: string };
  /** An image was stored: by saveNamespace or uploaded by the SecondaryNameNode; the digest of the namespace it holds. */
  'hdfs-nn-checkpoint': { readonly txid: number; readonly digest: string; readonly source: 'saveNamespace' | 'secondary' };
  /** Startup safe mode was entered (BlockManagerSafeMode.activate), with the block manager's counts then. */
  'hdfs-nn-safemode-on': { readonly blockTotal: number; readonly blockSafe: number; readonly liveDatanodes: number };
  /** While in safe mode, the counts the thresholds are judged on changed. */
  'hdfs-nn-safemode-counts': { readonly blockTotal: number; readonly blockSafe: number; readonly liveDatanodes: number };
  /** Safe mode was left (thresholds and extension, or dfsadmin -safemode leave: manual), with the counts then. */
  'hdfs-nn-safemode-off': { readonly txid: number; readonly manual: boolean; readonly blockTotal: number; readonly blockSafe: number; readonly liveDatanodes: number };
}

declare module '../../core/observation.ts' {
  interface Observations extends NameNodeObservations {}
}
