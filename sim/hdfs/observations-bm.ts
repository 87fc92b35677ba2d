// What the NameNode's block management tells the checkers (the typed observation map,
// sim/core/observation.ts). hdfs-placement reads these.

export interface HdfsBmObservations {
  /**
   * The placement policy chose targets: for a new block (addBlock) or a reconstruction (the
   * redundancy monitor). `existing` are the live replicas the choice had to respect (empty for a
   * new block); `live` the DataNodes in the NameNode's topology when it chose; `writer` the
   * writer's DataNode (or the reconstruction's source), if any.
   */
  'hdfs-bm-placed': {
    readonly purpose: 'new-block' | 'reconstruction';
    readonly blockId: number;
    readonly replication: number;
    /** How many targets were asked of chooseTarget (the replication for a new block, the missing replicas for a reconstruction). */
    readonly requested: number;
    readonly writer: string | null;
    readonly existing: readonly string[];
    readonly targets: readonly string[];
    readonly excluded: readonly string[];
    readonly live: readonly string[];
  };
  /**
   * The heartbeat monitor declared a DataNode dead (HeartbeatManager.heartbeatCheck ->
   * removeDeadDatanode): how long it had been silent, and the expiry and recheck intervals in force.
   */
  'hdfs-bm-datanode-dead': {
    readonly datanode: string;
    readonly silentMs: number;
    readonly expireMs: number;
    readonly recheckMs: number;
  };
}

declare module '../core/observation.ts' {
  interface Observations extends HdfsBmObservations {}
}
