import { describe, expect, it } from 'vitest';
import { runScenario } from '../../sim/core/run.ts';
import { parseScript } from '../../sim/env/faults.ts';
import kafkaProperty from '../../scenarios/kafka/kafka-property.ts';

// Counterexamples the Kafka property tests found where the configuration promises safety, saved
// as they were shrunk, replayed here as regression tests.
//
// KNOWN BUG (in sim/zookeeper/server.ts, not in Kafka): found by checkScenario(kafka-property,
// IBP 0.10.2, fast-check seed 1, 20 runs): run seed 0, shrunk to one fault. broker-3 is paused at
// 1 s, while its ZooKeeper session handshake is in flight; the session is created, broker-3 hears
// of it only at resume (7.99 s) and the leader expires it at 8 s (6 s timeout since creation).
// The expiry's closeSession commits, but the follower broker-3 is connected to keeps the
// connection open, so broker-3 never learns its session is gone: every write it sends (creating
// /brokers/ids/3) fails with SESSIONEXPIRED, once a second, forever. With broker-3 never
// registered the controller never creates the topic: no partition has a leader after heal and
// kafka-liveness fires. In ZooKeeper every server that applies a closeSession it did not receive
// from the client itself closes that session's connection (FinalRequestProcessor:
// `scxn.closeSession(request.sessionId)`), so the client reconnects, is told the session expired,
// and Kafka's ZooKeeperClient creates a new session and registers again.
// Fix (owner of sim/zookeeper/server.ts): in ClientServer.onCommitted, a closeSession txn with no
// waiting request on the connection closes it (refuse/disconnect). Verified on a scratch copy: the
// run below then passes; it changes the trace hashes of kafka-random-faults and
// zk-session-expiry-lock. When it is fixed, this test fails: flip it to expect no violation.

const PAUSED_HANDSHAKE = 'at 1s pause broker-3 for 6.99s\n';

describe('known bug: a session expired while its client was paused mid-handshake is never closed', () => {
  const cases: Record<string, string>[] = [{ 'kafka.inter.broker.protocol.version': '0.10.2' }, { 'kafka.zookeeper.session.timeout.ms': '6000' }];
  for (const overrides of cases) {
    it(`broker-3 never registers and kafka-liveness fires (${Object.entries(overrides).map(([k, v]) => `${k}=${v}`).join(' ')})`, () => {
      const r = runScenario(kafkaProperty, { seed: 0, overrides, faults: parseScript(PAUSED_HANDSHAKE) });
      expect(r.violations.map((v) => v.checker)).toEqual(['kafka-liveness']);
      expect(r.violations[0]!.message).toContain('no leader for events-0');
    }, 30_000);
  }
});
