import type { Checker } from '../../world/checker.ts';
import type { World } from '../../world/world.ts';

// Leader sanity, from the brokers' and the controller's observations:
// - kafka-leader-in-isr (TLA+ LeaderInIsr): every partition state written to ZooKeeper has no
//   leader (-1) or a leader in its ISR.
// - kafka-one-leader-per-epoch: no two brokers become leader of a partition in the same leader epoch.
// - kafka-epochs-monotonic: partition states ordered by their zkVersion have non-decreasing leader
//   epochs; controller epochs of successive controllers increase.
// - kafka-hw-monotonic: a leader's HW never decreases within its leader epoch.

export function leaderInIsrChecker(): Checker {
  return {
    name: 'kafka-leader-in-isr',
    kind: 'safety',
    description: 'every partition state in ZooKeeper has no leader or a leader inside its ISR',
    attach(w: World): void {
      w.onObserve('kafka-isr', (_p, o) => {
        if (o.leader >= 0 && !o.isr.includes(o.leader)) {
          w.reportViolation('kafka-leader-in-isr', `${o.tp}: leader ${o.leader} is not in the ISR [${o.isr.join(',')}] (leader epoch ${o.leaderEpoch}, zkVersion ${o.zkVersion})`);
        }
      });
    },
  };
}

export function oneLeaderPerEpochChecker(): Checker {
  const leaders = new Map<string, number>();
  return {
    name: 'kafka-one-leader-per-epoch',
    kind: 'safety',
    description: 'at most one broker becomes leader of a partition in each leader epoch',
    attach(w: World): void {
      w.onObserve('kafka-leader', (_p, o) => {
        const key = `${o.tp}@${o.leaderEpoch}`;
        const prev = leaders.get(key);
        if (prev !== undefined && prev !== o.broker) {
          w.reportViolation('kafka-one-leader-per-epoch', `${o.tp}: brokers ${prev} and ${o.broker} both lead at leader epoch ${o.leaderEpoch}`);
        }
        leaders.set(key, o.broker);
      });
    },
  };
}

export function epochsMonotonicChecker(): Checker {
  const states = new Map<string, [number, number][]>(); // tp -> [zkVersion, leaderEpoch]
  let lastController = { broker: -1, epoch: -1 };
  return {
    name: 'kafka-epochs-monotonic',
    kind: 'safety',
    description: 'leader epochs never decrease along the partition state znode versions; controller epochs increase',
    attach(w: World): void {
      w.onObserve('kafka-isr', (_p, o) => {
        let list = states.get(o.tp);
        if (list === undefined) states.set(o.tp, (list = []));
        if (o.zkVersion === 0) list.length = 0; // a (re)created znode starts a new history
        for (const [v, e] of list) {
          if ((v < o.zkVersion && e > o.leaderEpoch) || (v > o.zkVersion && e < o.leaderEpoch)) {
            w.reportViolation('kafka-epochs-monotonic', `${o.tp}: partition state zkVersion ${o.zkVersion} has leader epoch ${o.leaderEpoch}, but zkVersion ${v} had ${e}`);
            break;
          }
        }
        list.push([o.zkVersion, o.leaderEpoch]);
      });
      w.onObserve('kafka-controller', (_p, o) => {
        if (o.epoch <= lastController.epoch) {
          w.reportViolation('kafka-epochs-monotonic', `controller epoch went from ${lastController.epoch} (broker ${lastController.broker}) to ${o.epoch} (broker ${o.broker})`);
        }
        if (o.epoch > lastController.epoch) lastController = o;
      });
    },
  };
}

export function hwMonotonicChecker(): Checker {
  const hws = new Map<string, number>();
  return {
    name: 'kafka-hw-monotonic',
    kind: 'safety',
    description: 'a leader\'s high watermark never decreases within its leader epoch',
    attach(w: World): void {
      w.onObserve('kafka-hw', (_p, o) => {
        const key = `${o.tp}/${o.broker}@${o.leaderEpoch}`;
        const prev = hws.get(key);
        if (prev !== undefined && o.hw < prev) {
          w.reportViolation('kafka-hw-monotonic', `${o.tp}: leader ${o.broker} at epoch ${o.leaderEpoch} lowered its HW from ${prev} to ${o.hw}`);
        }
        if (prev === undefined || o.hw > prev) hws.set(key, o.hw);
      });
    },
  };
}
