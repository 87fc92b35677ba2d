import type { Checker, CheckStatus } from '../../world/checker.ts';
import type { World } from '../../world/world.ts';
import type { FinalPartition } from '../cluster.ts';
import { ReplicaShadow, type ShadowLogs } from './shadow.ts';

// kafka-durability: acknowledged acks=all writes survive, when the configuration promises it
// (acks=all and unclean leader election off; min.insync.replicas is enforced by the broker on every
// acknowledged write).
// - Continuously, as the Kafka TLA+ spec's StrongIsr in its Leader Completeness form: a broker that
//   becomes leader at leader epoch e must hold, batch for batch, everything that leaders of epochs
//   below e exposed under their HW (the committed prefix). Checked at each `kafka-leader`
//   observation. A leader acting on a LeaderAndIsr that was overtaken (it was paused while the
//   controller elected a later epoch) is only held to what was committed before its own epoch: what
//   the later epoch committed is not its to have, and it cannot commit anything itself (its ISR
//   write is fenced by the zkVersion, its followers follow the later epoch).
// - At the end, through the reader: every write acknowledged with an offset is read back at that
//   offset from the partition's final leader.

export interface DurabilityOptions {
  /** Whether the configuration promises durability (acks=all, unclean election off). */
  readonly promised: boolean;
  /** The end-of-run read (null: no reader; only the continuous check runs). */
  readonly read: ((world: World) => readonly FinalPartition[]) | null;
}

export function durabilityChecker(shadows: ShadowLogs, opts: DurabilityOptions): Checker {
  /** Per partition: every batch ever exposed under a leader's HW, and that HW. */
  const committed = new Map<string, { shadow: ReplicaShadow; hw: number }>();
  /** Per partition: the highest HW exposed at each leader epoch, and by which broker. */
  const hwByEpoch = new Map<string, Map<number, { hw: number; broker: number }>>();
  const reported = new Set<string>();
  let world: World | null = null;

  const checkLeader = (w: World, tp: string, broker: number, epoch: number): void => {
    const c = committed.get(tp);
    if (c === undefined || !opts.promised) return;
    // What leaders of earlier epochs committed: the highest HW any of them exposed.
    let required = 0;
    let by = '';
    for (const [e, x] of hwByEpoch.get(tp) ?? []) {
      if (e < epoch && x.hw > required) {
        required = x.hw;
        by = `broker ${x.broker} at epoch ${e}`;
      }
    }
    const s = shadows.of(tp, broker);
    for (let i = 0; i < c.shadow.base.length && c.shadow.last[i]! < required; i++) {
      const base = c.shadow.base[i]!;
      const j = s.indexOf(base);
      if (j >= 0 && s.last[j] === c.shadow.last[i] && s.crc[j] === c.shadow.crc[i]) continue;
      const key = `${tp}@${epoch}`;
      if (reported.has(key)) return;
      reported.add(key);
      const what = j < 0 ? `lacks the committed batch at offsets ${base}..${c.shadow.last[i]}` : `holds a different batch at offset ${base} than the committed one`;
      w.reportViolation('kafka-durability', `StrongIsr: broker ${broker} became leader of ${tp} at epoch ${epoch} but ${what} (committed up to HW ${required} before epoch ${epoch}, exposed by ${by}; its LEO ${s.leo})`);
      return;
    }
  };

  return {
    name: 'kafka-durability',
    kind: 'safety',
    description: 'acknowledged acks=all writes survive (unclean election off): StrongIsr at every election, and every acknowledged offset read back at the end',
    attach(w: World): void {
      world = w;
      shadows.attach(w);
      w.onObserve('kafka-hw', (_p, o) => {
        let byEpoch = hwByEpoch.get(o.tp);
        if (byEpoch === undefined) hwByEpoch.set(o.tp, (byEpoch = new Map()));
        const at = byEpoch.get(o.leaderEpoch);
        if (at === undefined) byEpoch.set(o.leaderEpoch, { hw: o.hw, broker: o.broker });
        else if (o.hw > at.hw) {
          at.hw = o.hw;
          at.broker = o.broker;
        }
        let c = committed.get(o.tp);
        if (c === undefined) committed.set(o.tp, (c = { shadow: new ReplicaShadow(), hw: 0 }));
        if (o.hw <= c.hw) return;
        const s = shadows.of(o.tp, o.broker);
        let i = s.lowerBound(c.hw);
        for (; i < s.base.length && s.last[i]! < o.hw; i++) c.shadow.append(s.base[i]!, s.last[i]!, s.crc[i]!);
        c.hw = o.hw;
      });
      w.onObserve('kafka-leader', (_p, o) => {
        checkLeader(w, o.tp, o.broker, o.leaderEpoch);
      });
    },
    finish(w: World): CheckStatus | void {
      void world;
      if (!opts.promised || opts.read === null) return;
      const finals = opts.read(w);
      const byTp = new Map(finals.map((f) => [f.tp, f]));
      // Offset -> record per partition, built on first use (a scan per acknowledged write was quadratic).
      const recordsByOffset = new Map<string, Map<number, (typeof finals)[number]['records'][number]>>();
      const recordAt = (f: (typeof finals)[number], offset: number): (typeof finals)[number]['records'][number] | undefined => {
        let m = recordsByOffset.get(f.tp);
        if (m === undefined) {
          m = new Map();
          // The first record at an offset wins, as Array.find would return it.
          for (const x of f.records) if (!m.has(x.offset)) m.set(x.offset, x);
          recordsByOffset.set(f.tp, m);
        }
        return m.get(offset);
      };
      let unknown = false;
      let lost = 0;
      let first = '';
      for (const op of w.history.operations()) {
        if (op.f !== 'send' || op.status !== 'ok' || op.key === null) continue;
        const offset = op.output as number;
        if (offset < 0) continue;
        const f = byTp.get(op.key);
        if (f === undefined || f.leader === null) {
          unknown = true;
          continue;
        }
        const r = recordAt(f, offset);
        if (r !== undefined && r.value === op.input) continue;
        lost++;
        if (first === '') first = `${String(op.input)} acknowledged at ${op.key} offset ${offset} is ${r === undefined ? `missing (HW ${f.hw} at broker ${f.leader})` : `replaced by ${String(r.value)}`}`;
      }
      if (lost > 0) w.reportViolation('kafka-durability', `${lost} acknowledged acks=all write(s) not in the final log; first: ${first}`);
      return unknown ? 'unknown' : undefined;
    },
  };
}
