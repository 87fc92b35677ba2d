import { describe, expect, it } from 'vitest';
import type { ZkErrorCode } from '../../sim/zookeeper/messages.ts';
import { formatZxid } from '../../sim/zookeeper/zxid.ts';
import { ensemble } from './helpers.ts';

// zookeeper.forceSync=false (zoo.cfg forceSync=no): the txn log is flushed but not fsynced before a
// proposal is acknowledged. In ZooKeeper, FollowerZooKeeperServer.logRequest adds the proposal to
// pendingTxns before handing it to the SyncRequestProcessor, whose flush (commit() without the
// fsync) is followed by SendAckRequestProcessor's ACK: every proposal is acknowledged, the last one
// included, whatever forceSync says.

describe('forceSync=false', () => {
  it('followers acknowledge every proposal, the last one included, so a lone write commits', () => {
    const t = ensemble({ config: { 'zookeeper.forceSync': false } });
    const acks: { sid: number; zxid: number }[] = [];
    t.world.onObserve('zk-ack', (_p, data) => acks.push(data as { sid: number; zxid: number }));
    t.run(3000);
    const leader = t.leader();
    expect(leader).not.toBeNull();
    const out: [ZkErrorCode | null, string | null][] = [];
    t.act('c1', (c) => c.zk.create('/only', 'v', {}, (e, p) => out.push([e, p ?? null])), 500);
    expect(out).toEqual([[null, '/only']]);
    const last = leader!.tree.lastZxid;
    const followers = t.servers.map((n) => t.peer(n)!).filter((p) => p !== leader).map((p) => p.sid);
    for (const sid of followers) expect(acks.some((a) => a.sid === sid && a.zxid === last), `zk sid ${sid} acked ${formatZxid(last)}`).toBe(true);
  });
});
