import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../sim/core/config.ts';
import { brokerSettings, kafkaSchema, logConfigFor, producerSettings, serverPropertiesOverrides, LONG_MAX } from '../../sim/kafka/config.ts';

const resolve = (overrides: Record<string, string> = {}, defaults: Record<string, string | number | boolean> = {}) =>
  resolveConfig(kafkaSchema, defaults, overrides);

describe('kafka config: defaults', () => {
  it('uses Kafka 2.8 defaults by default', () => {
    const s = brokerSettings(resolve());
    expect(s.ibp.version).toBe('2.8-IV1');
    expect(s.replicaLagTimeMaxMs).toBe(30_000);
    expect(s.zookeeperSessionTimeoutMs).toBe(18_000);
    expect(s.logDefaults.uncleanLeaderElectionEnable).toBe(false);
    expect(s.logDefaults.minInsyncReplicas).toBe(1);
    expect(s.logDefaults.flushIntervalMessages).toBe(LONG_MAX);
    expect(s.logDefaults.flushMs).toBe(LONG_MAX);
    expect(s.logDefaults.segmentBytes).toBe(1073741824);
    expect(s.logDefaults.indexIntervalBytes).toBe(4096);
    expect(s.replicaHighWatermarkCheckpointIntervalMs).toBe(5000);
    expect(s.replicaFetchWaitMaxMs).toBe(500);
  });

  it('follows the version for defaults that changed (10 s lag, 6 s session before 2.5; unclean on before 0.11)', () => {
    const s24 = brokerSettings(resolve({ 'kafka.inter.broker.protocol.version': '2.4' }));
    expect(s24.replicaLagTimeMaxMs).toBe(10_000);
    expect(s24.zookeeperSessionTimeoutMs).toBe(6_000);
    const s0102 = brokerSettings(resolve({ 'kafka.inter.broker.protocol.version': '0.10.2' }));
    expect(s0102.logDefaults.uncleanLeaderElectionEnable).toBe(true);
    expect(s0102.features.usesLeaderEpochs).toBe(false);
  });

  it('lets an explicit value win over the version default', () => {
    const s = brokerSettings(resolve({ 'kafka.inter.broker.protocol.version': '0.10.2', 'kafka.unclean.leader.election.enable': 'false', 'kafka.replica.lag.time.max.ms': '2000' }));
    expect(s.logDefaults.uncleanLeaderElectionEnable).toBe(false);
    expect(s.replicaLagTimeMaxMs).toBe(2000);
  });

  it('falls back from log.flush.interval.ms to log.flush.scheduler.interval.ms, as Kafka\'s null does', () => {
    expect(brokerSettings(resolve({ 'kafka.log.flush.scheduler.interval.ms': '1000' })).logDefaults.flushMs).toBe(1000);
    expect(brokerSettings(resolve({ 'kafka.log.flush.interval.ms': '50' })).logDefaults.flushMs).toBe(50);
  });
});

describe('kafka config: validation with Kafka\'s wording', () => {
  it('rejects an unknown inter.broker.protocol.version', () => {
    expect(() => resolve({ 'kafka.inter.broker.protocol.version': '3.1' }))
      .toThrow('Invalid value 3.1 for configuration inter.broker.protocol.version: Version `3.1` is not a valid version');
  });

  it('applies Range validators', () => {
    expect(() => resolve({ 'kafka.min.insync.replicas': '0' }))
      .toThrow('Invalid value 0 for configuration min.insync.replicas: Value must be at least 1');
    expect(() => resolve({ 'kafka.log.segment.bytes': '10' }))
      .toThrow('Invalid value 10 for configuration log.segment.bytes: Value must be at least 14');
  });

  it('rejects values that are not numbers or booleans', () => {
    expect(() => resolve({ 'kafka.min.insync.replicas': 'six' }))
      .toThrow('Invalid value six for configuration min.insync.replicas: Not a number of type INT');
    expect(() => resolve({ 'kafka.min.insync.replicas': '3000000000' }))
      .toThrow('Not a number of type INT');
    expect(() => resolve({ 'kafka.unclean.leader.election.enable': 'yes' }))
      .toThrow('Invalid value yes for configuration unclean.leader.election.enable: Expected value to be either true or false');
  });

  it('enforces KafkaConfig\'s cross-key requirements', () => {
    expect(() => brokerSettings(resolve({ 'kafka.replica.lag.time.max.ms': '100' })))
      .toThrow('requirement failed: replica.fetch.wait.max.ms should always be less than or equal to replica.lag.time.max.ms to prevent frequent changes in ISR');
  });

  it('names an unknown key and suggests the closest one', () => {
    expect(() => resolve({ 'kafka.min.insync.replica': '2' })).toThrow(/did you mean 'kafka.min.insync.replicas'/);
  });
});

describe('kafka config: producer', () => {
  it('accepts acks all, -1, 0 and 1 and rejects anything else', () => {
    expect(producerSettings(resolve({ 'kafka.acks': 'all' })).acks).toBe(-1);
    expect(producerSettings(resolve({ 'kafka.acks': '-1' })).acks).toBe(-1);
    expect(producerSettings(resolve({ 'kafka.acks': '0' })).acks).toBe(0);
    expect(producerSettings(resolve({ 'kafka.acks': '1' })).acks).toBe(1);
    expect(producerSettings(resolve({}, { 'kafka.acks': 'all' })).acks).toBe(-1);
    expect(() => resolve({ 'kafka.acks': '2' })).toThrow('Invalid value 2 for configuration acks: String must be one of: all, -1, 0, 1');
  });

  it('defaults: acks 1, retries by version, delivery timeout from 2.1', () => {
    const p = producerSettings(resolve());
    expect(p.acks).toBe(1);
    expect(p.retries).toBe(2147483647);
    expect(p.deliveryTimeoutMs).toBe(120_000);
    expect(p.requestTimeoutMs).toBe(30_000);
    expect(p.batchSize).toBe(16384);
    expect(p.lingerMs).toBe(0);
    expect(p.maxInFlightRequestsPerConnection).toBe(5);
    const old = producerSettings(resolve({ 'kafka.inter.broker.protocol.version': '0.10.2' }));
    expect(old.retries).toBe(0);
    expect(old.deliveryTimeoutMs).toBeNull();
  });

  it('keeps the producer request timeout apart from the broker one', () => {
    const cfg = resolve({ 'kafka.producer.request.timeout.ms': '5000', 'kafka.request.timeout.ms': '40000' });
    expect(producerSettings(cfg).requestTimeoutMs).toBe(5000);
    expect(brokerSettings(cfg).requestTimeoutMs).toBe(40000);
  });

  it('idempotence implies acks=all and checks KafkaProducer\'s conditions', () => {
    // KafkaProducer's checks come first; a consistent idempotent config is then refused, since dsim
    // does not simulate KIP-98's producer ids and sequences (no accepted key without its effect).
    expect(() => producerSettings(resolve({ 'kafka.enable.idempotence': 'true' }))).toThrow('kafka.enable.idempotence=true is not modelled yet');
    expect(() => producerSettings(resolve({ 'kafka.enable.idempotence': 'true', 'kafka.acks': '1' })))
      .toThrow('Must set acks to all in order to use the idempotent producer. Otherwise we cannot guarantee idempotence.');
    expect(() => producerSettings(resolve({ 'kafka.enable.idempotence': 'true', 'kafka.max.in.flight.requests.per.connection': '6' })))
      .toThrow('Must set max.in.flight.requests.per.connection to at most 5 to use the idempotent producer.');
  });

  it('rejects an explicit delivery.timeout.ms below linger.ms + request.timeout.ms', () => {
    expect(() => producerSettings(resolve({ 'kafka.delivery.timeout.ms': '1000' })))
      .toThrow('delivery.timeout.ms should be equal to or larger than linger.ms + request.timeout.ms');
  });
});

describe('kafka config: topic overrides', () => {
  it('merges topic-level keys over broker defaults', () => {
    const s = brokerSettings(resolve({ 'kafka.min.insync.replicas': '1', 'kafka.topic.config': 'min.insync.replicas=2,flush.messages=1,retention.ms=-1' }));
    const lc = logConfigFor(s);
    expect(lc.minInsyncReplicas).toBe(2);
    expect(lc.flushIntervalMessages).toBe(1);
    expect(lc.retentionMs).toBe(-1);
    expect(lc.segmentBytes).toBe(s.logDefaults.segmentBytes);
  });

  it('rejects unknown topic configs with Kafka\'s message', () => {
    expect(() => resolve({ 'kafka.topic.config': 'min.isr=2' })).toThrow('Unknown topic config name: min.isr');
    expect(() => resolve({ 'kafka.topic.config': 'min.insync.replicas=0' }))
      .toThrow('Invalid value 0 for configuration min.insync.replicas: Value must be at least 1');
  });
});

describe('server.properties', () => {
  it('reads a stock server.properties: ignores addresses and threads, converts hours', () => {
    const text = [
      'broker.id=0', 'num.network.threads=3', 'log.dirs=/tmp/kafka-logs', 'num.partitions=1',
      'log.retention.hours=168', 'log.segment.bytes=1073741824', 'log.retention.check.interval.ms=300000',
      'zookeeper.connect=localhost:2181', 'zookeeper.connection.timeout.ms=18000', 'min.insync.replicas=2',
    ].join('\n');
    const { overrides, ignored } = serverPropertiesOverrides(text, 'server.properties');
    expect(ignored).toContain('broker.id');
    expect(overrides['kafka.log.retention.ms']).toBe('604800000');
    const s = brokerSettings(resolve(overrides));
    expect(s.logDefaults.minInsyncReplicas).toBe(2);
  });
});
