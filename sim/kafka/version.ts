// inter.broker.protocol.version (IBP): parsing, ordering and the named behaviour switches that
// depend on it.
//
// The list and its order follow Kafka's kafka.api.ApiVersion (2.8 branch): every internal version
// ("2.1-IV1") has an id, the short form ("2.1") names the last internal version of that release,
// and parsing keeps 3 dot-segments for "0.x" releases and 2 otherwise, so "2.1.1" and "0.10.2.1"
// are accepted as Kafka accepts them.
//
// Modelling choice: dsim has a single version knob. A cluster configured with IBP X runs the code of
// release X as well (a finished upgrade, not a rolling one), so switches that real Kafka attaches to
// the software release rather than to the IBP (KAFKA-7128's ISR join rule, KAFKA-7415's epoch
// assignment at election, the 2.5 default of replica.lag.time.max.ms, the 0.11 default of
// unclean.leader.election.enable) follow the IBP here. Each switch says which kind it is.

export interface ApiVersion {
  /** Position in Kafka's ordering; comparisons use only this. */
  readonly id: number;
  /** Full spelling: "0.10.2-IV0", "2.8-IV1" (legacy versions before 0.10.0 have no IV suffix). */
  readonly version: string;
  /** Release spelling: "0.10.2", "2.8". */
  readonly shortVersion: string;
  /** Message format (record batch magic) the version writes: 0, 1 or 2. */
  readonly recordVersion: 0 | 1 | 2;
}

const TABLE: readonly [string, string, 0 | 1 | 2][] = [
  // [shortVersion, subVersion ('' for legacy), recordVersion]
  ['0.8.0', '', 0],
  ['0.8.1', '', 0],
  ['0.8.2', '', 0],
  ['0.9.0', '', 0],
  ['0.10.0', 'IV0', 1], // KIP-31/32: message format v1
  ['0.10.0', 'IV1', 1],
  ['0.10.1', 'IV0', 1],
  ['0.10.1', 'IV1', 1],
  ['0.10.1', 'IV2', 1],
  ['0.10.2', 'IV0', 1],
  ['0.11.0', 'IV0', 2], // KIP-98: record batch v2 (carries partitionLeaderEpoch)
  ['0.11.0', 'IV1', 2],
  ['0.11.0', 'IV2', 2], // KIP-101: the replica fetcher uses OffsetsForLeaderEpoch
  ['1.0', 'IV0', 2],
  ['1.1', 'IV0', 2],
  ['2.0', 'IV0', 2], // KIP-279: OffsetsForLeaderEpoch v1 returns (epoch, end offset)
  ['2.0', 'IV1', 2],
  ['2.1', 'IV0', 2],
  ['2.1', 'IV1', 2], // KIP-320: current_leader_epoch in Fetch v9 and OffsetsForLeaderEpoch v2
  ['2.1', 'IV2', 2],
  ['2.2', 'IV0', 2],
  ['2.2', 'IV1', 2],
  ['2.3', 'IV0', 2],
  ['2.3', 'IV1', 2],
  ['2.4', 'IV0', 2],
  ['2.4', 'IV1', 2],
  ['2.5', 'IV0', 2],
  ['2.6', 'IV0', 2],
  ['2.7', 'IV0', 2],
  ['2.7', 'IV1', 2], // KIP-595: Fetch v12 carries diverging_epoch (truncation on fetch)
  ['2.7', 'IV2', 2], // KIP-497: AlterIsr
  ['2.8', 'IV0', 2],
  ['2.8', 'IV1', 2],
];

export const ALL_VERSIONS: readonly ApiVersion[] = TABLE.map(([shortVersion, sub, recordVersion], id) => ({
  id,
  version: sub === '' ? shortVersion : `${shortVersion}-${sub}`,
  shortVersion,
  recordVersion,
}));

const BY_KEY = new Map<string, ApiVersion>();
for (const v of ALL_VERSIONS) BY_KEY.set(v.version, v);
// A short version maps to the latest internal version of that release.
for (const v of ALL_VERSIONS) BY_KEY.set(v.shortVersion, v);

/** Releases a user can name, in order ("0.8.0" ... "2.8"). */
export const RELEASES: readonly string[] = [...new Set(ALL_VERSIONS.map((v) => v.shortVersion))];

export const LATEST_VERSION: ApiVersion = ALL_VERSIONS[ALL_VERSIONS.length - 1]!;
/** dsim's default IBP (issue #4): the last ZooKeeper-only release line. */
export const DEFAULT_IBP = '2.8';

/** Kafka's IllegalArgumentException text for an unknown version. */
export function invalidVersionMessage(text: string): string {
  return `Version \`${text}\` is not a valid version`;
}

/** Parses a version the way ApiVersion.apply does; null if it is not a valid version. */
export function tryParseApiVersion(text: string): ApiVersion | null {
  const t = text.trim();
  const segments = t.split('.');
  const n = t.startsWith('0.') ? 3 : 2;
  return BY_KEY.get(segments.slice(0, n).join('.')) ?? null;
}

export function parseApiVersion(text: string): ApiVersion {
  const v = tryParseApiVersion(text);
  if (v === null) throw new Error(invalidVersionMessage(text));
  return v;
}

/** The version with this exact full or short spelling (for constants in code). */
function v(spelling: string): ApiVersion {
  const found = BY_KEY.get(spelling);
  if (found === undefined) throw new Error(`version table has no ${spelling}`);
  return found;
}

export const KAFKA_0_9_0 = v('0.9.0');
export const KAFKA_0_10_2_IV0 = v('0.10.2-IV0');
export const KAFKA_0_11_0_IV0 = v('0.11.0-IV0');
export const KAFKA_0_11_0_IV2 = v('0.11.0-IV2');
export const KAFKA_1_0_IV0 = v('1.0-IV0');
export const KAFKA_2_0_IV0 = v('2.0-IV0');
export const KAFKA_2_1_IV0 = v('2.1-IV0');
export const KAFKA_2_1_IV1 = v('2.1-IV1');
export const KAFKA_2_3_IV0 = v('2.3-IV0');
export const KAFKA_2_4_IV0 = v('2.4-IV0');
export const KAFKA_2_5_IV0 = v('2.5-IV0');
export const KAFKA_2_7_IV1 = v('2.7-IV1');
export const KAFKA_2_7_IV2 = v('2.7-IV2');

export function atLeast(a: ApiVersion, b: ApiVersion): boolean {
  return a.id >= b.id;
}

export function compareVersions(a: ApiVersion, b: ApiVersion): number {
  return a.id - b.id;
}

/**
 * Every behaviour switch that depends on the version, resolved once (protocol code reads flags, not
 * version comparisons, on its hot paths).
 */
export interface Features {
  readonly version: ApiVersion;
  /** Batches carry partitionLeaderEpoch (message format v2, IBP >= 0.11.0-IV0). Below it the field is -1. */
  readonly recordBatchV2: boolean;
  /**
   * KIP-101 (IBP >= 0.11.0-IV2, ReplicaFetcherThread.shouldSendLeaderEpochRequest): replicas keep a
   * leader-epoch cache and a follower truncates by OffsetsForLeaderEpoch instead of to its high
   * watermark.
   */
  readonly usesLeaderEpochs: boolean;
  /**
   * KIP-279 (IBP >= 2.0-IV0, OffsetsForLeaderEpoch v1): the leader answers with (largest epoch <=
   * requested, its end offset) and the follower iterates to the largest common epoch.
   */
  readonly kip279: boolean;
  /**
   * KAFKA-7415 (release 2.1, code not IBP): a new leader assigns (epoch, LEO) in its epoch cache at
   * election; the cache drops entries that break monotonicity on assign; endOffsetFor answers an
   * epoch below the first cached one with the first start offset instead of UNDEFINED.
   */
  readonly epochCache21: boolean;
  /**
   * KIP-320 (IBP >= 2.1-IV1): Fetch and OffsetsForLeaderEpoch carry current_leader_epoch; a lower one
   * gets FENCED_LEADER_EPOCH, a higher one UNKNOWN_LEADER_EPOCH.
   */
  readonly kip320: boolean;
  /**
   * KAFKA-7128 (release 2.1, code not IBP): a follower joins the ISR only if its LEO >= HW and its
   * fetch offset >= the start offset of the leader's current epoch.
   */
  readonly isrJoinRequiresLeaderEpochStart: boolean;
  /**
   * Before 2.1 (release, code not IBP): Partition.makeFollower returns false when the new leader is
   * the one the replica already follows, and ReplicaManager.makeFollowers skips the become-follower
   * steps for it: no fetcher restart, no truncation (a LeaderAndIsr that only changed the ISR, say).
   * From 2.1 it skips only when the leader epoch is unchanged, and a LeaderAndIsr is applied only
   * with a higher epoch, so every one goes through.
   */
  readonly followerSkipsSameLeader: boolean;
  /**
   * KAFKA-4485 (release 0.10.2): the leader HW is the minimum LEO over the ISR and the followers that
   * caught up within replica.lag.time.max.ms; before it, over the ISR only.
   */
  readonly hwCountsCaughtUpFollowers: boolean;
  /**
   * Before 0.9 (KAFKA-1546 replaced it): a follower leaves the ISR if its LEO has not changed for
   * replica.lag.time.max.ms or it is more than replica.lag.max.messages behind. From 0.9: if it has
   * not caught up to the leader's LEO within replica.lag.time.max.ms.
   */
  readonly messageLagIsrRule: boolean;
  /** KIP-595 (IBP >= 2.7-IV1): Fetch v12 returns diverging_epoch; the follower truncates on fetch. */
  readonly truncationOnFetch: boolean;
  /** KIP-497 (IBP >= 2.7-IV2): the leader asks the controller to change the ISR (AlterIsr) instead of writing ZooKeeper. */
  readonly alterIsr: boolean;
  /**
   * KAFKA-6975 (release 1.1.1 and 2.0, code not IBP): a follower whose fetched batch starts below its
   * log start offset (and its log is empty past it) restarts its log at the batch's base offset;
   * before, that append fails like any other out-of-order append.
   */
  readonly appendBelowLogStartRecovers: boolean;
  /**
   * KIP-461 (release 2.3, code not IBP): an unexpected error while appending one partition's fetched
   * data marks that partition failed (no more fetching until a LeaderAndIsr makes it follow again);
   * before, AbstractFetcherThread rethrows it as a KafkaException and the whole fetcher thread dies:
   * every partition it fetches from that leader stops until the broker restarts (a dead thread stays
   * in the fetcher manager and takes the partitions given to it later).
   */
  readonly fetcherFailsPartitionOnly: boolean;
  /** KIP-480 (client 2.4): null keys use the sticky partitioner; before, round-robin. */
  readonly stickyPartitioner: boolean;
  /** Software defaults that changed with the release (KIP-537 in 2.5, KIP-106 in 0.11). */
  readonly defaults: VersionDefaults;
  /** AdminUtils wording changed in 1.0 (capitalised, with a full stop). */
  readonly adminMessagesCapitalised: boolean;
}

export interface VersionDefaults {
  /** 10000 before 2.5, 30000 from 2.5 (KIP-537). */
  readonly replicaLagTimeMaxMs: number;
  /** 6000 before 2.5, 18000 from 2.5 (KIP-537). */
  readonly zookeeperSessionTimeoutMs: number;
  /** true before 0.11, false from 0.11 (KIP-106). */
  readonly uncleanLeaderElectionEnable: boolean;
  /** Producer retries: 0 before 2.1, Integer.MAX_VALUE from 2.1 (KIP-91). */
  readonly producerRetries: number;
  /** Producer delivery.timeout.ms: none before 2.1 (each attempt bounded by request.timeout.ms only), 120000 from 2.1 (KIP-91). */
  readonly producerDeliveryTimeoutMs: number | null;
  /** Pre-0.9 ISR rule's message lag bound (replica.lag.max.messages, 4000). */
  readonly replicaLagMaxMessages: number;
}

export const INT_MAX = 2147483647;

export function featuresOf(version: ApiVersion): Features {
  const ge = (b: ApiVersion): boolean => version.id >= b.id;
  return {
    version,
    recordBatchV2: version.recordVersion >= 2,
    usesLeaderEpochs: ge(KAFKA_0_11_0_IV2),
    kip279: ge(KAFKA_2_0_IV0),
    epochCache21: ge(KAFKA_2_1_IV0),
    kip320: ge(KAFKA_2_1_IV1),
    isrJoinRequiresLeaderEpochStart: ge(KAFKA_2_1_IV0),
    followerSkipsSameLeader: !ge(KAFKA_2_1_IV0),
    hwCountsCaughtUpFollowers: ge(KAFKA_0_10_2_IV0),
    messageLagIsrRule: !ge(KAFKA_0_9_0),
    truncationOnFetch: ge(KAFKA_2_7_IV1),
    alterIsr: ge(KAFKA_2_7_IV2),
    stickyPartitioner: ge(KAFKA_2_4_IV0),
    appendBelowLogStartRecovers: ge(KAFKA_2_0_IV0),
    fetcherFailsPartitionOnly: ge(KAFKA_2_3_IV0),
    adminMessagesCapitalised: ge(KAFKA_1_0_IV0),
    defaults: {
      replicaLagTimeMaxMs: ge(KAFKA_2_5_IV0) ? 30_000 : 10_000,
      zookeeperSessionTimeoutMs: ge(KAFKA_2_5_IV0) ? 18_000 : 6_000,
      uncleanLeaderElectionEnable: !ge(KAFKA_0_11_0_IV0),
      producerRetries: ge(KAFKA_2_1_IV0) ? INT_MAX : 0,
      producerDeliveryTimeoutMs: ge(KAFKA_2_1_IV0) ? 120_000 : null,
      replicaLagMaxMessages: 4000,
    },
  };
}

const FEATURES = new Map<number, Features>();

/** Features of a version given as text (cached: parse once per run, not per event). */
export function features(ibp: string | ApiVersion): Features {
  const version = typeof ibp === 'string' ? parseApiVersion(ibp) : ibp;
  let f = FEATURES.get(version.id);
  if (f === undefined) {
    f = featuresOf(version);
    FEATURES.set(version.id, f);
  }
  return f;
}
