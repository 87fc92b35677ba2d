import { describe, expect, it } from 'vitest';
import { ALL_VERSIONS, features, parseApiVersion, tryParseApiVersion } from '../../sim/kafka/version.ts';

describe('inter.broker.protocol.version parsing (ApiVersion.apply)', () => {
  it('maps a release to its last internal version', () => {
    expect(parseApiVersion('2.8').version).toBe('2.8-IV1');
    expect(parseApiVersion('2.1').version).toBe('2.1-IV2');
    expect(parseApiVersion('0.11.0').version).toBe('0.11.0-IV2');
    expect(parseApiVersion('0.10.2').version).toBe('0.10.2-IV0');
    expect(parseApiVersion('1.0').version).toBe('1.0-IV0');
  });

  it('accepts internal versions and patch releases the way Kafka does', () => {
    expect(parseApiVersion('2.1-IV1').version).toBe('2.1-IV1');
    expect(parseApiVersion('0.10.2-IV0').version).toBe('0.10.2-IV0');
    expect(parseApiVersion('2.1.1').version).toBe('2.1-IV2');
    expect(parseApiVersion('0.10.2.1').version).toBe('0.10.2-IV0');
    expect(parseApiVersion('0.8.2').version).toBe('0.8.2');
  });

  it('rejects unknown versions with Kafka\'s message', () => {
    expect(tryParseApiVersion('3.0')).toBeNull();
    expect(tryParseApiVersion('2.9')).toBeNull();
    expect(tryParseApiVersion('banana')).toBeNull();
    expect(() => parseApiVersion('2.9')).toThrow('Version `2.9` is not a valid version');
  });

  it('orders versions by id, not lexicographically', () => {
    const ids = ALL_VERSIONS.map((v) => v.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(parseApiVersion('0.10.2').id).toBeLessThan(parseApiVersion('0.11.0').id);
    expect(parseApiVersion('0.11.0').id).toBeLessThan(parseApiVersion('1.0').id);
    expect(parseApiVersion('1.1').id).toBeLessThan(parseApiVersion('2.0').id);
  });
});

describe('feature gates per version', () => {
  const table: [string, boolean, boolean, boolean, boolean][] = [
    // version, usesLeaderEpochs (KIP-101), kip279, kip320, KAFKA-7128 ISR join rule
    ['0.10.2', false, false, false, false],
    ['0.11.0-IV1', false, false, false, false],
    ['0.11.0', true, false, false, false],
    ['1.1', true, false, false, false],
    ['2.0', true, true, false, false],
    ['2.1-IV0', true, true, false, true],
    ['2.1', true, true, true, true],
    ['2.8', true, true, true, true],
  ];
  it.each(table)('%s: epochs=%s kip279=%s kip320=%s kafka7128=%s', (v, epochs, k279, k320, k7128) => {
    const f = features(v);
    expect(f.usesLeaderEpochs).toBe(epochs);
    expect(f.kip279).toBe(k279);
    expect(f.kip320).toBe(k320);
    expect(f.isrJoinRequiresLeaderEpochStart).toBe(k7128);
  });

  it('models the release defaults that changed: replica.lag.time.max.ms 30 s and ZK session 18 s from 2.5', () => {
    expect(features('2.4').defaults.replicaLagTimeMaxMs).toBe(10_000);
    expect(features('2.5').defaults.replicaLagTimeMaxMs).toBe(30_000);
    expect(features('2.4').defaults.zookeeperSessionTimeoutMs).toBe(6_000);
    expect(features('2.8').defaults.zookeeperSessionTimeoutMs).toBe(18_000);
  });

  it('has unclean election on by default before 0.11 (KIP-106)', () => {
    expect(features('0.10.2').defaults.uncleanLeaderElectionEnable).toBe(true);
    expect(features('0.11.0').defaults.uncleanLeaderElectionEnable).toBe(false);
  });

  it('uses the message-lag ISR rule only before 0.9, and counts caught-up followers in the HW from 0.10.2', () => {
    expect(features('0.8.2').messageLagIsrRule).toBe(true);
    expect(features('0.9.0').messageLagIsrRule).toBe(false);
    expect(features('0.10.1').hwCountsCaughtUpFollowers).toBe(false);
    expect(features('0.10.2').hwCountsCaughtUpFollowers).toBe(true);
  });

  it('writes batches without leader epochs before 0.11', () => {
    expect(features('0.10.2').recordBatchV2).toBe(false);
    expect(features('0.11.0-IV0').recordBatchV2).toBe(true);
  });

  it('switches the null-key partitioner to sticky at 2.4', () => {
    expect(features('2.3').stickyPartitioner).toBe(false);
    expect(features('2.4').stickyPartitioner).toBe(true);
  });
});
