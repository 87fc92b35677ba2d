// What HDFS DataNodes and clients tell the checkers (the typed observation map:
// sim/core/observation.ts). hdfs-replica-consistency reads these.

export interface HdfsDnObservations {
  /** A replica became FINALIZED (end of a pipeline, a transfer, a close recovery or a block recovery). */
  'hdfs-replica-finalized': { readonly datanode: string; readonly blockId: number; readonly genStamp: number; readonly length: number };
  /** A DataNode served READ_BLOCK from its replica: the replica's GS and the GS the reader asked for. */
  'hdfs-read-served': {
    readonly datanode: string; readonly blockId: number; readonly genStamp: number; readonly requestedGenStamp: number; readonly state: string;
  };
  /** The block scanner found a replica failing its checksums. */
  'hdfs-scanner-corrupt': { readonly datanode: string; readonly blockId: number; readonly genStamp: number; readonly chunk: number };
  /** A client recovered a write pipeline (a DataNode was dropped). */
  'hdfs-pipeline-recovery': { readonly client: string; readonly blockId: number; readonly bad: string; readonly remaining: number; readonly why: string };
}

declare module '../core/observation.ts' {
  interface Observations extends HdfsDnObservations {}
}
