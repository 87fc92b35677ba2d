import type { ZkClient } from '../zookeeper/client.ts';
import type { MultiOp } from '../zookeeper/messages.ts';
import type { PartitionInfo } from './controller-channel.ts';
import type { ControllerHost } from './controller-host.ts';
import type { AlterIsr, AlterIsrResponse, AlterIsrResponsePartition, ErrorCode } from './messages.ts';
import { partitionStateJson, statePath } from './partition.ts';

// The controller's side of KIP-497 (KafkaController.processAlterIsr, 2.8), one event of the
// controller's queue:
// 1. not the controller: NOT_CONTROLLER; a broker not registered, or with another broker epoch than
//    its registration's czxid: STALE_BROKER_EPOCH (top-level errors; the leader retries);
// 2. per partition: unknown -> UNKNOWN_TOPIC_OR_PARTITION; a leader epoch below the controller's
//    -> FENCED_LEADER_EPOCH; already the state asked for (LeaderAndIsr.equalsIgnoreZk) -> that state;
// 3. the others are written (KafkaZkClient.updateLeaderAndIsr): each a multi of `check
//    /controller_epoch` and a setData of the state znode on the version the leader sent (its
//    "partition epoch"), leader epoch unchanged; BADVERSION -> INVALID_UPDATE_VERSION;
// 4. the controller's cache takes the written states, every live broker gets UpdateMetadata for the
//    partitions asked about, and the leader its answer. No LeaderAndIsr: followers keep the ISR they
//    were last told.

export interface AlterIsrHost {
  readonly host: ControllerHost;
  readonly zk: ZkClient;
  readonly epoch: number;
  readonly epochZkVersion: number;
  readonly dead: boolean;
  readonly live: ReadonlyMap<number, number>;
  partition(key: string): PartitionInfo | undefined;
  sendUpdateMetadata(ps: readonly PartitionInfo[]): void;
  resign(why: string): void;
}

function sameIsr(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  const x = [...a].sort((p, q) => p - q);
  const y = [...b].sort((p, q) => p - q);
  return x.every((v, i) => v === y[i]);
}

export function processAlterIsr(c: AlterIsrHost, msg: AlterIsr, reply: (r: AlterIsrResponse) => void): void {
  const top = (error: ErrorCode): void => reply({ type: 'AlterIsrResponse', correlationId: msg.correlationId, error, partitions: [] });
  const host = c.host;
  const registered = c.live.get(msg.brokerId);
  if (registered === undefined || registered !== msg.brokerEpoch) {
    host.annotate(`controller ${host.brokerId}: Ignoring AlterIsr from broker ${msg.brokerId} with broker epoch ${msg.brokerEpoch}: ${registered === undefined ? 'unknown broker' : `its registration has epoch ${registered}`} (STALE_BROKER_EPOCH)`);
    return top('STALE_BROKER_EPOCH');
  }
  const answers = new Map<string, AlterIsrResponsePartition>();
  const fail = (tp: string, error: ErrorCode): void => {
    answers.set(tp, { tp, error, leader: -1, leaderEpoch: -1, isr: [], currentIsrVersion: -1 });
  };
  const writes: { p: PartitionInfo; isr: readonly number[]; leaderEpoch: number; version: number }[] = [];
  for (const r of msg.partitions) {
    const p = c.partition(r.tp);
    const cur = p?.state ?? null;
    if (p === undefined || cur === null) {
      fail(r.tp, 'UNKNOWN_TOPIC_OR_PARTITION');
    } else if (r.leaderEpoch < cur.leaderEpoch) {
      fail(r.tp, 'FENCED_LEADER_EPOCH');
    } else if (cur.leader === msg.brokerId && cur.leaderEpoch === r.leaderEpoch && sameIsr(cur.isr, r.newIsr)) {
      answers.set(r.tp, { tp: r.tp, error: 'NONE', leader: cur.leader, leaderEpoch: cur.leaderEpoch, isr: cur.isr, currentIsrVersion: p.zkVersion });
    } else {
      writes.push({ p, isr: r.newIsr, leaderEpoch: r.leaderEpoch, version: r.currentIsrVersion });
    }
  }
  const finish = (): void => {
    const asked = msg.partitions.map((r) => c.partition(r.tp)).filter((p): p is PartitionInfo => p !== undefined);
    c.sendUpdateMetadata(asked);
    reply({ type: 'AlterIsrResponse', correlationId: msg.correlationId, error: 'NONE', partitions: msg.partitions.map((r) => answers.get(r.tp)!) });
  };
  let left = writes.length;
  if (left === 0) return finish();
  let moved = false;
  for (const w of writes) {
    const { p } = w;
    const data = partitionStateJson(msg.brokerId, w.leaderEpoch, w.isr, c.epoch);
    const ops: MultiOp[] = [
      { op: 'check', path: '/controller_epoch', version: c.epochZkVersion },
      { op: 'setData', path: statePath(p.topic, p.partition), data, version: w.version },
    ];
    c.zk.multi(ops, (err, results) => {
      if (c.dead) return;
      const set = results?.[1];
      if (err === null && set !== undefined && set.op === 'setData') {
        p.state = { leader: msg.brokerId, leaderEpoch: w.leaderEpoch, isr: w.isr.slice(), controllerEpoch: c.epoch };
        p.zkVersion = set.stat.version;
        host.annotate(`controller ${host.brokerId}: AlterIsr from broker ${msg.brokerId}: ISR for partition ${p.key} updated to [${w.isr.join(',')}] and zkVersion updated to [${p.zkVersion}]`);
        host.observe('kafka-isr', { tp: p.key, leader: msg.brokerId, leaderEpoch: w.leaderEpoch, isr: w.isr.slice(), zkVersion: p.zkVersion, by: 'alter-isr' });
        answers.set(p.key, { tp: p.key, error: 'NONE', leader: msg.brokerId, leaderEpoch: w.leaderEpoch, isr: w.isr.slice(), currentIsrVersion: p.zkVersion });
      } else {
        const check = results?.[0];
        if (check !== undefined && check.op === 'error' && check.err !== 'OK') moved = true;
        const error: ErrorCode = err === 'BADVERSION' ? 'INVALID_UPDATE_VERSION' : err === 'NONODE' ? 'UNKNOWN_TOPIC_OR_PARTITION' : 'UNKNOWN_SERVER_ERROR';
        host.annotate(`controller ${host.brokerId}: AlterIsr from broker ${msg.brokerId}: failed to update ISR for partition ${p.key} at zkVersion ${w.version}: ${err ?? 'no result'} (${error})`);
        fail(p.key, error);
      }
      if (--left > 0) return;
      if (moved) {
        // ControllerMovedException, caught by processAlterIsr: UNKNOWN_SERVER_ERROR; this controller is a zombie.
        top('UNKNOWN_SERVER_ERROR');
        return c.resign(`controller epoch zkVersion ${c.epochZkVersion} is stale`);
      }
      finish();
    });
  }
}
