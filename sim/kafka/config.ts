import { parseProperties, type Config, type ConfigSchema, type ConfigValue, type KeySpec } from '../core/config.ts';
import { UsageError } from '../core/invariant.ts';
import { features, invalidVersionMessage, tryParseApiVersion, type ApiVersion, type Features, DEFAULT_IBP, INT_MAX } from './version.ts';

// Kafka's configuration in dsim: real keys, real defaults, Kafka's validation wording.
//
// Every key is prefixed `kafka.` in scenarios and on the command line (`--set kafka.acks=all`).
//
// Naming rule for producer keys: a producer key keeps its plain name (`kafka.acks`, `kafka.retries`,
// `kafka.linger.ms`, `kafka.batch.size`, `kafka.max.in.flight.requests.per.connection`,
// `kafka.enable.idempotence`, `kafka.delivery.timeout.ms`, `kafka.retry.backoff.ms`) unless the broker
// has a key of the same name; then it is `kafka.producer.<key>`. Only `request.timeout.ms` collides:
// `kafka.request.timeout.ms` is the broker's (controller-to-broker requests), and
// `kafka.producer.request.timeout.ms` is the producer's (the produce request's timeout, which the
// leader uses as the delayed-produce timeout for acks=all).
//
// Defaults that changed between releases follow inter.broker.protocol.version (version.ts explains
// why the IBP stands for the release in dsim). Those keys default to the word `default`, meaning
// "the default of the configured version"; setting a value overrides it:
//   replica.lag.time.max.ms         10000 before 2.5, 30000 from 2.5 (KIP-537)
//   zookeeper.session.timeout.ms    6000 before 2.5, 18000 from 2.5 (KIP-537)
//   unclean.leader.election.enable  true before 0.11, false from 0.11 (KIP-106)
//   retries (producer)              0 before 2.1, 2147483647 from 2.1 (KIP-91)
//   delivery.timeout.ms (producer)  absent before 2.1, 120000 from 2.1 (KIP-91)
//   acks (producer)                 1; all when enable.idempotence=true (acks=all by default is 3.0, beyond 2.8)
//   log.flush.interval.ms           falls back to log.flush.scheduler.interval.ms (Kafka's null)
// Keys Kafka spells in hours or minutes (log.roll.hours, log.retention.hours/minutes) are read from
// server.properties and converted; dsim's schema keeps the .ms form only.
//
// Topic-level overrides (what kafka-configs.sh --entity-type topics --add-config sets in
// /config/topics/<topic>) are `kafka.topic.config`, a comma-separated list of key=value pairs using
// the topic-level names (min.insync.replicas, unclean.leader.election.enable, retention.ms,
// retention.bytes, segment.bytes, segment.ms, segment.index.bytes, flush.messages, flush.ms,
// index.interval.bytes). They apply to the scenario's topics; logConfigFor() merges them with the
// broker defaults the way LogConfig.fromProps does.

export const VERSION_DEFAULT = 'default';
/** Java's Long.MAX_VALUE as a JS number (2^63): "never" for flush intervals. */
export const LONG_MAX = 9223372036854775807;

type JavaType = 'INT' | 'LONG';

const RANGES: Record<JavaType, [bigint, bigint]> = {
  INT: [-2147483648n, 2147483647n],
  LONG: [-9223372036854775808n, 9223372036854775807n],
};

/** Kafka's ConfigException text. */
export function configException(name: string, value: string, message?: string): string {
  return `Invalid value ${value} for configuration ${name}${message === undefined ? '' : `: ${message}`}`;
}

interface NumberOpts {
  readonly atLeast?: number;
  readonly atMost?: number;
  /** Accept the word `default` (a version-dependent default). */
  readonly versionDefault?: boolean;
}

/** Parses like ConfigDef.parseType plus Range validation; returns Kafka's error text on failure. */
export function parseJavaNumber(name: string, type: JavaType, raw: string, opts: NumberOpts = {}): number | string | { error: string } {
  const t = raw.trim();
  if (opts.versionDefault === true && t === VERSION_DEFAULT) return VERSION_DEFAULT;
  if (!/^[-+]?\d+$/.test(t)) return { error: configException(name, raw, `Not a number of type ${type}`) };
  const big = BigInt(t);
  const [lo, hi] = RANGES[type];
  if (big < lo || big > hi) return { error: configException(name, raw, `Not a number of type ${type}`) };
  const n = Number(big);
  if (opts.atLeast !== undefined && n < opts.atLeast) return { error: configException(name, t, `Value must be at least ${opts.atLeast}`) };
  if (opts.atMost !== undefined && n > opts.atMost) return { error: configException(name, t, `Value must be no more than ${opts.atMost}`) };
  return n;
}

export function parseJavaBoolean(name: string, raw: string, versionDefault = false): boolean | string | { error: string } {
  const t = raw.trim().toLowerCase();
  if (versionDefault && t === VERSION_DEFAULT) return VERSION_DEFAULT;
  if (t === 'true') return true;
  if (t === 'false') return false;
  return { error: configException(name, raw, 'Expected value to be either true or false') };
}

function num(name: string, type: JavaType, def: number | string, doc: string, opts: NumberOpts = {}): KeySpec {
  return {
    type: 'int',
    default: def,
    doc,
    ...(opts.atLeast !== undefined ? { min: opts.atLeast } : {}),
    ...(opts.atMost !== undefined ? { max: opts.atMost } : {}),
    parse: (raw) => parseJavaNumber(name, type, raw, opts),
  };
}

function bool(name: string, def: boolean | string, doc: string, versionDefault = false): KeySpec {
  return { type: 'boolean', default: def, doc, parse: (raw) => parseJavaBoolean(name, raw, versionDefault) };
}

export function parseAcks(raw: string): number | string | { error: string } {
  const t = raw.trim();
  if (t === VERSION_DEFAULT) return VERSION_DEFAULT;
  if (t.toLowerCase() === 'all' || t === '-1') return -1;
  if (t === '0') return 0;
  if (t === '1') return 1;
  return { error: configException('acks', raw, 'String must be one of: all, -1, 0, 1') };
}

function ibpSpec(): KeySpec {
  return {
    type: 'string',
    default: DEFAULT_IBP,
    doc: 'inter.broker.protocol.version: "0.10.2", "0.11.0", "1.0" ... "2.8" (internal versions like "2.1-IV1" accepted); also selects the release whose code and defaults dsim runs',
    parse: (raw) => {
      const v = tryParseApiVersion(raw);
      if (v === null) return { error: configException('inter.broker.protocol.version', raw.trim(), invalidVersionMessage(raw.trim())) };
      return raw.trim();
    },
  };
}

/** Topic-level config names and the broker keys they default to (LogConfig's synonyms). */
export const TOPIC_CONFIG_SYNONYMS: { readonly [topicKey: string]: string } = {
  'segment.bytes': 'log.segment.bytes',
  'segment.ms': 'log.roll.ms',
  'segment.index.bytes': 'log.index.size.max.bytes',
  'flush.messages': 'log.flush.interval.messages',
  'flush.ms': 'log.flush.interval.ms',
  'retention.bytes': 'log.retention.bytes',
  'retention.ms': 'log.retention.ms',
  'index.interval.bytes': 'log.index.interval.bytes',
  'min.insync.replicas': 'min.insync.replicas',
  'unclean.leader.election.enable': 'unclean.leader.election.enable',
};

type TopicValidator = (raw: string) => number | boolean | string | { error: string };

/** LogConfig's validators for the topic-level keys. */
const TOPIC_VALIDATORS: { readonly [topicKey: string]: TopicValidator } = {
  'segment.bytes': (r) => parseJavaNumber('segment.bytes', 'INT', r, { atLeast: 14 }),
  'segment.ms': (r) => parseJavaNumber('segment.ms', 'LONG', r, { atLeast: 1 }),
  'segment.index.bytes': (r) => parseJavaNumber('segment.index.bytes', 'INT', r, { atLeast: 0 }),
  'flush.messages': (r) => parseJavaNumber('flush.messages', 'LONG', r, { atLeast: 0 }),
  'flush.ms': (r) => parseJavaNumber('flush.ms', 'LONG', r, { atLeast: 0 }),
  'retention.bytes': (r) => parseJavaNumber('retention.bytes', 'LONG', r),
  'retention.ms': (r) => parseJavaNumber('retention.ms', 'LONG', r, { atLeast: -1 }),
  'index.interval.bytes': (r) => parseJavaNumber('index.interval.bytes', 'INT', r, { atLeast: 0 }),
  'min.insync.replicas': (r) => parseJavaNumber('min.insync.replicas', 'INT', r, { atLeast: 1 }),
  'unclean.leader.election.enable': (r) => parseJavaBoolean('unclean.leader.election.enable', r),
};

/** Parses "key=value" topic overrides; errors use Kafka's wording ("Unknown topic config name: x"). */
export function parseTopicOverrides(items: readonly string[]): Map<string, number | boolean> | { error: string } {
  const out = new Map<string, number | boolean>();
  for (const item of items) {
    const eq = item.indexOf('=');
    if (eq <= 0) return { error: `'${item}' is not key=value` };
    const key = item.slice(0, eq).trim();
    const validate = TOPIC_VALIDATORS[key];
    if (validate === undefined) return { error: `Unknown topic config name: ${key}` };
    const v = validate(item.slice(eq + 1));
    if (typeof v === 'object') return v;
    if (typeof v === 'string') return { error: configException(key, v) };
    out.set(key, v);
  }
  return out;
}

const P = 'kafka.';

/** Every Kafka key dsim models, prefixed `kafka.`. */
export const kafkaSchema: ConfigSchema = {
  [`${P}inter.broker.protocol.version`]: ibpSpec(),

  // ---- topics and replication (broker)
  [`${P}min.insync.replicas`]: num('min.insync.replicas', 'INT', 1, 'with acks=all, the least ISR size for a produce to succeed (NOT_ENOUGH_REPLICAS otherwise)', { atLeast: 1 }),
  [`${P}unclean.leader.election.enable`]: bool('unclean.leader.election.enable', VERSION_DEFAULT, 'elect an out-of-sync replica when no ISR member is live (data loss); default: true before 0.11, false from 0.11', true),
  [`${P}replica.lag.time.max.ms`]: num('replica.lag.time.max.ms', 'LONG', VERSION_DEFAULT, 'a follower that has not caught up to the leader LEO for this long leaves the ISR; default: 10000 before 2.5, 30000 from 2.5', { atLeast: 0, versionDefault: true }),
  [`${P}replica.lag.max.messages`]: num('replica.lag.max.messages', 'LONG', 4000, 'before 0.9 only: a follower this many messages behind leaves the ISR', { atLeast: 0 }),
  [`${P}replica.fetch.min.bytes`]: num('replica.fetch.min.bytes', 'INT', 1, 'bytes a follower fetch waits for (up to replica.fetch.wait.max.ms)', { atLeast: 0 }),
  [`${P}replica.fetch.wait.max.ms`]: num('replica.fetch.wait.max.ms', 'INT', 500, 'longest a follower fetch waits at the leader', { atLeast: 0 }),
  [`${P}replica.fetch.max.bytes`]: num('replica.fetch.max.bytes', 'INT', 1048576, 'bytes per partition a follower fetch asks for (at least one batch is returned)', { atLeast: 0 }),
  [`${P}replica.fetch.response.max.bytes`]: num('replica.fetch.response.max.bytes', 'INT', 10485760, 'bytes per follower fetch response', { atLeast: 0 }),
  [`${P}replica.fetch.backoff.ms`]: num('replica.fetch.backoff.ms', 'INT', 1000, 'follower sleep after a fetch error', { atLeast: 0 }),
  [`${P}replica.socket.timeout.ms`]: num('replica.socket.timeout.ms', 'INT', 30000, 'follower fetch request timeout', { atLeast: 0 }),
  [`${P}replica.high.watermark.checkpoint.interval.ms`]: num('replica.high.watermark.checkpoint.interval.ms', 'LONG', 5000, 'how often HWs are written to replication-offset-checkpoint', { atLeast: 1 }),

  // ---- log
  [`${P}log.segment.bytes`]: num('log.segment.bytes', 'INT', 1073741824, 'roll a segment at this size', { atLeast: 14 }),
  [`${P}log.roll.ms`]: num('log.roll.ms', 'LONG', 604800000, 'roll a segment this long after its first batch (log.roll.hours=168)', { atLeast: 1 }),
  [`${P}log.index.interval.bytes`]: num('log.index.interval.bytes', 'INT', 4096, 'bytes between offset index entries', { atLeast: 0 }),
  [`${P}log.index.size.max.bytes`]: num('log.index.size.max.bytes', 'INT', 10485760, 'offset index size at which a segment rolls', { atLeast: 4 }),
  [`${P}log.flush.interval.messages`]: num('log.flush.interval.messages', 'LONG', LONG_MAX, 'fsync after this many unflushed messages (default: never, page cache only)', { atLeast: 1 }),
  [`${P}log.flush.interval.ms`]: num('log.flush.interval.ms', 'LONG', VERSION_DEFAULT, 'fsync a log this long after its last flush, checked every log.flush.scheduler.interval.ms (default: log.flush.scheduler.interval.ms)', { atLeast: 0, versionDefault: true }),
  [`${P}log.flush.scheduler.interval.ms`]: num('log.flush.scheduler.interval.ms', 'LONG', LONG_MAX, 'how often the log flusher runs (first run 30 s after start; default: never again)', { atLeast: 1 }),
  [`${P}log.flush.offset.checkpoint.interval.ms`]: num('log.flush.offset.checkpoint.interval.ms', 'INT', 60000, 'how often recovery points are written to recovery-point-offset-checkpoint', { atLeast: 0 }),
  [`${P}log.retention.ms`]: num('log.retention.ms', 'LONG', 604800000, 'delete segments older than this (-1: unlimited; log.retention.hours=168)', { atLeast: -1 }),
  [`${P}log.retention.bytes`]: num('log.retention.bytes', 'LONG', -1, 'delete old segments while a log is larger than this (-1: unlimited)'),
  [`${P}log.retention.check.interval.ms`]: num('log.retention.check.interval.ms', 'LONG', 300000, 'how often retention runs', { atLeast: 1 }),

  // ---- controller, ZooKeeper, shutdown
  [`${P}zookeeper.session.timeout.ms`]: num('zookeeper.session.timeout.ms', 'INT', VERSION_DEFAULT, 'broker ZooKeeper session timeout; default: 6000 before 2.5, 18000 from 2.5', { atLeast: 1, versionDefault: true }),
  [`${P}controlled.shutdown.enable`]: bool('controlled.shutdown.enable', true, 'move leadership away before a deliberate stop'),
  [`${P}controlled.shutdown.max.retries`]: num('controlled.shutdown.max.retries', 'INT', 3, 'controlled shutdown attempts', { atLeast: 0 }),
  [`${P}controlled.shutdown.retry.backoff.ms`]: num('controlled.shutdown.retry.backoff.ms', 'LONG', 5000, 'pause between controlled shutdown attempts', { atLeast: 0 }),
  [`${P}auto.leader.rebalance.enable`]: bool('auto.leader.rebalance.enable', true, 'the controller moves leadership back to preferred replicas'),
  [`${P}leader.imbalance.check.interval.seconds`]: num('leader.imbalance.check.interval.seconds', 'LONG', 300, 'how often the controller checks leader imbalance', { atLeast: 1 }),
  [`${P}leader.imbalance.per.broker.percentage`]: num('leader.imbalance.per.broker.percentage', 'INT', 10, 'imbalance (percent of a broker\'s preferred partitions led elsewhere) that triggers a rebalance', { atLeast: 0 }),
  [`${P}request.timeout.ms`]: num('request.timeout.ms', 'INT', 30000, 'broker: timeout of controller-to-broker requests', { atLeast: 0 }),
  [`${P}controller.socket.timeout.ms`]: num('controller.socket.timeout.ms', 'INT', 30000, 'controller channel socket timeout', { atLeast: 0 }),

  // ---- topic-level overrides
  [`${P}topic.config`]: {
    type: 'list',
    default: [],
    doc: 'per-topic overrides as key=value,key=value with topic-level names (min.insync.replicas, retention.ms, segment.bytes, flush.messages, ...)',
    parse: (raw) => {
      const items = raw.split(',').map((x) => x.trim()).filter((x) => x !== '');
      const r = parseTopicOverrides(items);
      return r instanceof Map ? items : r;
    },
  },

  // ---- producer
  [`${P}acks`]: { type: 'enum', default: VERSION_DEFAULT, values: ['all', '-1', '0', '1', VERSION_DEFAULT], doc: 'producer acks: all (-1), 1 or 0; default: 1, or all with enable.idempotence', parse: parseAcks },
  [`${P}retries`]: num('retries', 'INT', VERSION_DEFAULT, 'producer retries; default: 0 before 2.1, 2147483647 from 2.1', { atLeast: 0, versionDefault: true }),
  [`${P}retry.backoff.ms`]: num('retry.backoff.ms', 'LONG', 100, 'producer pause before a retry', { atLeast: 0 }),
  [`${P}linger.ms`]: num('linger.ms', 'LONG', 0, 'producer wait for more records before sending a batch', { atLeast: 0 }),
  [`${P}batch.size`]: num('batch.size', 'INT', 16384, 'producer batch size in bytes', { atLeast: 0 }),
  [`${P}max.in.flight.requests.per.connection`]: num('max.in.flight.requests.per.connection', 'INT', 5, 'unacknowledged produce requests per broker connection', { atLeast: 1 }),
  [`${P}enable.idempotence`]: bool('enable.idempotence', false, 'idempotent producer (KIP-98): acks=all, sequence numbers, broker-side dedup'),
  [`${P}delivery.timeout.ms`]: num('delivery.timeout.ms', 'INT', VERSION_DEFAULT, 'producer bound on a send including retries (from 2.1); default: 120000', { atLeast: 0, versionDefault: true }),
  [`${P}producer.request.timeout.ms`]: num('request.timeout.ms', 'INT', 30000, 'producer request.timeout.ms: produce request timeout, also the leader\'s acks=all wait', { atLeast: 0 }),
};

// ------------------------------------------------------------------ resolved settings

/** Effective per-log settings (kafka.log.LogConfig), broker defaults merged with topic overrides. */
export interface LogConfig {
  readonly segmentBytes: number;
  readonly segmentMs: number;
  readonly maxIndexSizeBytes: number;
  readonly indexIntervalBytes: number;
  readonly flushIntervalMessages: number;
  readonly flushMs: number;
  readonly retentionMs: number;
  readonly retentionBytes: number;
  readonly minInsyncReplicas: number;
  readonly uncleanLeaderElectionEnable: boolean;
}

export interface BrokerSettings {
  readonly ibp: ApiVersion;
  readonly features: Features;
  readonly replicaLagTimeMaxMs: number;
  readonly replicaLagMaxMessages: number;
  readonly replicaFetchMinBytes: number;
  readonly replicaFetchWaitMaxMs: number;
  readonly replicaFetchMaxBytes: number;
  readonly replicaFetchResponseMaxBytes: number;
  readonly replicaFetchBackoffMs: number;
  readonly replicaSocketTimeoutMs: number;
  readonly replicaHighWatermarkCheckpointIntervalMs: number;
  readonly logFlushSchedulerIntervalMs: number;
  readonly logFlushOffsetCheckpointIntervalMs: number;
  readonly logRetentionCheckIntervalMs: number;
  readonly zookeeperSessionTimeoutMs: number;
  readonly controlledShutdownEnable: boolean;
  readonly controlledShutdownMaxRetries: number;
  readonly controlledShutdownRetryBackoffMs: number;
  readonly autoLeaderRebalanceEnable: boolean;
  readonly leaderImbalanceCheckIntervalSeconds: number;
  readonly leaderImbalancePerBrokerPercentage: number;
  readonly requestTimeoutMs: number;
  readonly controllerSocketTimeoutMs: number;
  /** The broker-level log defaults (what a topic without overrides gets). */
  readonly logDefaults: LogConfig;
  /** Topic-level overrides from kafka.topic.config (topic-level key names). */
  readonly topicOverrides: ReadonlyMap<string, number | boolean>;
}

export interface ProducerSettings {
  readonly features: Features;
  /** -1 (all), 0 or 1. */
  readonly acks: -1 | 0 | 1;
  readonly retries: number;
  readonly retryBackoffMs: number;
  readonly lingerMs: number;
  readonly batchSize: number;
  readonly maxInFlightRequestsPerConnection: number;
  readonly enableIdempotence: boolean;
  /** null before 2.1: no overall bound, each attempt is bounded by requestTimeoutMs and retries. */
  readonly deliveryTimeoutMs: number | null;
  readonly requestTimeoutMs: number;
}

function get(cfg: Config, key: string): ConfigValue {
  return cfg.get(P + key);
}

function n(cfg: Config, key: string): number {
  const v = get(cfg, key);
  if (typeof v !== 'number') throw new Error(`config: kafka.${key} is not a number (${String(v)})`);
  return v;
}

function b(cfg: Config, key: string): boolean {
  const v = get(cfg, key);
  if (typeof v !== 'boolean') throw new Error(`config: kafka.${key} is not a boolean (${String(v)})`);
  return v;
}

function nOr(cfg: Config, key: string, fallback: number): number {
  const v = get(cfg, key);
  return v === VERSION_DEFAULT ? fallback : (v as number);
}

function kafkaRequire(cond: boolean, message: string): void {
  // Scala's require(): IllegalArgumentException("requirement failed: ...") at KafkaConfig construction.
  if (!cond) throw new UsageError(`requirement failed: ${message}`);
}

/** Resolves the broker keys once (protocol code reads these fields, never the Config, per event). */
export function brokerSettings(cfg: Config): BrokerSettings {
  const ibpText = get(cfg, 'inter.broker.protocol.version') as string;
  const f = features(ibpText);
  const replicaLagTimeMaxMs = nOr(cfg, 'replica.lag.time.max.ms', f.defaults.replicaLagTimeMaxMs);
  const unclean = get(cfg, 'unclean.leader.election.enable');
  const logFlushSchedulerIntervalMs = n(cfg, 'log.flush.scheduler.interval.ms');
  const overridesRaw = get(cfg, 'topic.config') as readonly string[];
  const overrides = parseTopicOverrides(overridesRaw);
  if (!(overrides instanceof Map)) throw new UsageError(`invalid value for kafka.topic.config: ${overrides.error}`);
  const logDefaults: LogConfig = {
    segmentBytes: n(cfg, 'log.segment.bytes'),
    segmentMs: n(cfg, 'log.roll.ms'),
    maxIndexSizeBytes: n(cfg, 'log.index.size.max.bytes'),
    indexIntervalBytes: n(cfg, 'log.index.interval.bytes'),
    flushIntervalMessages: n(cfg, 'log.flush.interval.messages'),
    flushMs: nOr(cfg, 'log.flush.interval.ms', logFlushSchedulerIntervalMs),
    retentionMs: n(cfg, 'log.retention.ms'),
    retentionBytes: n(cfg, 'log.retention.bytes'),
    minInsyncReplicas: n(cfg, 'min.insync.replicas'),
    uncleanLeaderElectionEnable: unclean === VERSION_DEFAULT ? f.defaults.uncleanLeaderElectionEnable : (unclean as boolean),
  };
  const s: BrokerSettings = {
    ibp: f.version,
    features: f,
    replicaLagTimeMaxMs,
    replicaLagMaxMessages: n(cfg, 'replica.lag.max.messages'),
    replicaFetchMinBytes: n(cfg, 'replica.fetch.min.bytes'),
    replicaFetchWaitMaxMs: n(cfg, 'replica.fetch.wait.max.ms'),
    replicaFetchMaxBytes: n(cfg, 'replica.fetch.max.bytes'),
    replicaFetchResponseMaxBytes: n(cfg, 'replica.fetch.response.max.bytes'),
    replicaFetchBackoffMs: n(cfg, 'replica.fetch.backoff.ms'),
    replicaSocketTimeoutMs: n(cfg, 'replica.socket.timeout.ms'),
    replicaHighWatermarkCheckpointIntervalMs: n(cfg, 'replica.high.watermark.checkpoint.interval.ms'),
    logFlushSchedulerIntervalMs,
    logFlushOffsetCheckpointIntervalMs: n(cfg, 'log.flush.offset.checkpoint.interval.ms'),
    logRetentionCheckIntervalMs: n(cfg, 'log.retention.check.interval.ms'),
    zookeeperSessionTimeoutMs: nOr(cfg, 'zookeeper.session.timeout.ms', f.defaults.zookeeperSessionTimeoutMs),
    controlledShutdownEnable: b(cfg, 'controlled.shutdown.enable'),
    controlledShutdownMaxRetries: n(cfg, 'controlled.shutdown.max.retries'),
    controlledShutdownRetryBackoffMs: n(cfg, 'controlled.shutdown.retry.backoff.ms'),
    autoLeaderRebalanceEnable: b(cfg, 'auto.leader.rebalance.enable'),
    leaderImbalanceCheckIntervalSeconds: n(cfg, 'leader.imbalance.check.interval.seconds'),
    leaderImbalancePerBrokerPercentage: n(cfg, 'leader.imbalance.per.broker.percentage'),
    requestTimeoutMs: n(cfg, 'request.timeout.ms'),
    controllerSocketTimeoutMs: n(cfg, 'controller.socket.timeout.ms'),
    logDefaults,
    topicOverrides: overrides,
  };
  // KafkaConfig's cross-key requirements (their messages verbatim).
  kafkaRequire(s.replicaFetchWaitMaxMs <= s.replicaSocketTimeoutMs,
    'replica.socket.timeout.ms should always be at least replica.fetch.wait.max.ms to prevent unnecessary socket timeouts');
  kafkaRequire(s.replicaFetchWaitMaxMs <= s.replicaLagTimeMaxMs,
    'replica.fetch.wait.max.ms should always be less than or equal to replica.lag.time.max.ms to prevent frequent changes in ISR');
  return s;
}

/** LogConfig for a topic: its overrides (topic-level names) over the broker defaults. */
export function logConfigFor(broker: BrokerSettings, overrides: ReadonlyMap<string, number | boolean> = broker.topicOverrides): LogConfig {
  const d = broker.logDefaults;
  const num = (k: string, dv: number): number => (overrides.has(k) ? (overrides.get(k) as number) : dv);
  return {
    segmentBytes: num('segment.bytes', d.segmentBytes),
    segmentMs: num('segment.ms', d.segmentMs),
    maxIndexSizeBytes: num('segment.index.bytes', d.maxIndexSizeBytes),
    indexIntervalBytes: num('index.interval.bytes', d.indexIntervalBytes),
    flushIntervalMessages: num('flush.messages', d.flushIntervalMessages),
    flushMs: num('flush.ms', d.flushMs),
    retentionMs: num('retention.ms', d.retentionMs),
    retentionBytes: num('retention.bytes', d.retentionBytes),
    minInsyncReplicas: num('min.insync.replicas', d.minInsyncReplicas),
    uncleanLeaderElectionEnable: overrides.has('unclean.leader.election.enable')
      ? (overrides.get('unclean.leader.election.enable') as boolean) : d.uncleanLeaderElectionEnable,
  };
}

/** Resolves the producer keys, with KafkaProducer's consistency checks and their messages. */
export function producerSettings(cfg: Config): ProducerSettings {
  const f = features(get(cfg, 'inter.broker.protocol.version') as string);
  const idempotence = b(cfg, 'enable.idempotence');
  const acksRaw = get(cfg, 'acks');
  const acksSet = acksRaw !== VERSION_DEFAULT;
  const acks = (acksSet ? (typeof acksRaw === 'string' ? (parseAcks(acksRaw) as number) : (acksRaw as number)) : idempotence ? -1 : 1) as -1 | 0 | 1;
  const retriesSet = get(cfg, 'retries') !== VERSION_DEFAULT;
  const retries = retriesSet ? n(cfg, 'retries') : idempotence ? INT_MAX : f.defaults.producerRetries;
  const maxInFlight = n(cfg, 'max.in.flight.requests.per.connection');
  const lingerMs = n(cfg, 'linger.ms');
  const requestTimeoutMs = n(cfg, 'producer.request.timeout.ms');
  const deliveryRaw = get(cfg, 'delivery.timeout.ms');
  let deliveryTimeoutMs = f.defaults.producerDeliveryTimeoutMs;
  if (deliveryRaw !== VERSION_DEFAULT) {
    if (deliveryTimeoutMs === null) throw new UsageError('delivery.timeout.ms does not exist before Kafka 2.1 (KIP-91): unset it or raise inter.broker.protocol.version');
    deliveryTimeoutMs = deliveryRaw as number;
    if (deliveryTimeoutMs < lingerMs + requestTimeoutMs) {
      throw new UsageError('delivery.timeout.ms should be equal to or larger than linger.ms + request.timeout.ms');
    }
  } else if (deliveryTimeoutMs !== null && deliveryTimeoutMs < lingerMs + requestTimeoutMs) {
    // KafkaProducer raises an unset delivery.timeout.ms to linger.ms + request.timeout.ms (with a warning).
    deliveryTimeoutMs = lingerMs + requestTimeoutMs;
  }
  if (idempotence) {
    if (maxInFlight > 5) throw new UsageError('Must set max.in.flight.requests.per.connection to at most 5 to use the idempotent producer.');
    if (retries === 0) throw new UsageError('Must set retries to non-zero when using the idempotent producer.');
    if (acksSet && acks !== -1) throw new UsageError('Must set acks to all in order to use the idempotent producer. Otherwise we cannot guarantee idempotence.');
    // KIP-98's producer ids, per-partition sequence numbers and the broker's dedup of the last five
    // batches are not simulated yet: a producer that claimed idempotence without them would let the
    // history checkers promise no duplicates that nothing prevents. Rejected until it exists.
    throw new UsageError('kafka.enable.idempotence=true is not modelled yet (KIP-98 producer ids and sequence numbers are not simulated): leave it false');
  }
  return {
    features: f,
    acks,
    retries,
    retryBackoffMs: n(cfg, 'retry.backoff.ms'),
    lingerMs,
    batchSize: n(cfg, 'batch.size'),
    maxInFlightRequestsPerConnection: maxInFlight,
    enableIdempotence: idempotence,
    deliveryTimeoutMs,
    requestTimeoutMs,
  };
}

// ------------------------------------------------------------------ server.properties

/** Keys of a real server.properties that dsim accepts and ignores (addresses, threads, paths...). */
export const IGNORED_SERVER_KEYS: readonly string[] = [
  'broker.id', 'listeners', 'advertised.listeners', 'listener.security.protocol.map', 'log.dirs', 'log.dir',
  'zookeeper.connect', 'zookeeper.connection.timeout.ms', 'num.network.threads', 'num.io.threads',
  'socket.send.buffer.bytes', 'socket.receive.buffer.bytes', 'socket.request.max.bytes',
  'num.recovery.threads.per.data.dir', 'offsets.topic.replication.factor', 'transaction.state.log.replication.factor',
  'transaction.state.log.min.isr', 'group.initial.rebalance.delay.ms', 'num.replica.fetchers', 'delete.topic.enable',
  'log.message.format.version', 'broker.rack',
  // Defaults of automatically created topics: dsim's scenarios create their topics explicitly (as
  // kafka-topics.sh --create does), with the scenario keys topic.partitions and topic.replication.factor.
  'num.partitions', 'default.replication.factor', 'auto.create.topics.enable',
];

/** Kafka keys dsim does not model, and what to set instead (System.notModelled). */
export const KAFKA_NOT_MODELLED: { readonly [key: string]: string } = {
  [`${P}num.partitions`]: 'it is the partition count of automatically created topics, and dsim creates each scenario topic explicitly (kafka-topics.sh --create): set topic.partitions',
  [`${P}default.replication.factor`]: 'it is the replication factor of automatically created topics, and dsim creates each scenario topic explicitly (kafka-topics.sh --create): set topic.replication.factor',
};

/**
 * Reads server.properties text into `kafka.`-prefixed overrides. Hour and minute spellings are
 * converted to .ms the way KafkaConfig does (the .ms key wins over .minutes over .hours). Keys dsim
 * does not model and that do not change replication are listed in `ignored`; anything else unknown
 * is left in the overrides so resolveConfig reports it.
 */
export function serverPropertiesOverrides(text: string, source: string): { overrides: Record<string, string>; ignored: string[] } {
  const props = parseProperties(text, source);
  const overrides: Record<string, string> = {};
  const ignored: string[] = [];
  const toMs = (k: string, factor: number): string => String(Number(props.get(k)) * factor);
  for (const [k, v] of props) {
    if (IGNORED_SERVER_KEYS.includes(k)) {
      ignored.push(k);
      continue;
    }
    if (k === 'log.retention.hours' || k === 'log.retention.minutes' || k === 'log.roll.hours') continue;
    overrides[P + k] = v;
  }
  if (!props.has('log.retention.ms')) {
    if (props.has('log.retention.minutes')) overrides[`${P}log.retention.ms`] = toMs('log.retention.minutes', 60_000);
    else if (props.has('log.retention.hours')) overrides[`${P}log.retention.ms`] = toMs('log.retention.hours', 3_600_000);
  }
  if (!props.has('log.roll.ms') && props.has('log.roll.hours')) overrides[`${P}log.roll.ms`] = toMs('log.roll.hours', 3_600_000);
  return { overrides, ignored };
}
