import type { ProcessId } from '../core/types.ts';
import { storyDuration, type Narrator, type StoryEntry } from '../harness/story.ts';
import type { World } from '../world/world.ts';
import type { TopicSpec } from './broker.ts';
import { brokerName } from './partition.ts';

// Kafka's part of the story of a run (harness/story.ts), told in Kafka's terms: who became
// controller, which broker leads which partition after each election (and whether the winner was
// outside the ISR: an unclean election), ISR shrinks and expands, log truncations, and for every
// partition how long it was without a live leader (from its leader's death to the next
// Partition.makeLeader). It listens to the brokers' observations and to process deaths only.

interface Lead { readonly broker: number; readonly epoch: number }

export function kafkaNarrator(world: World, topic: TopicSpec): Narrator {
  const entries: StoryEntry[] = [];
  const at = (text: string, group?: string): void => {
    entries.push(group === undefined ? { atUs: world.nowUs, text } : { atUs: world.nowUs, text, group });
  };
  const leader = new Map<string, Lead>();
  const isr = new Map<string, readonly number[]>();
  const noLeaderSince = new Map<string, number>();
  const gaps = new Map<string, { fromUs: number; toUs: number | null }[]>();
  let initialDone = false;
  const tps = Array.from({ length: topic.partitions }, (_, i) => `${topic.name}-${i}`);
  const brokerOf = (p: ProcessId): number | null => {
    if (world.procSystem[p] !== 'kafka' || world.procRole[p] !== 'broker') return null;
    const m = /^broker-(\d+)$/.exec(world.procNames[p]!);
    return m === null ? null : Number(m[1]);
  };
  const fmtIsr = (x: readonly number[]): string => `[${x.join(',')}]`;

  world.onObserve('kafka-controller', (_p, d) => at(`${brokerName(d.broker)} becomes the controller (controller epoch ${d.epoch})`));
  world.onObserve('kafka-leader', (_p, d) => {
    const before = leader.get(d.tp);
    leader.set(d.tp, { broker: d.broker, epoch: d.leaderEpoch });
    isr.set(d.tp, d.isr);
    if (!initialDone) {
      if (tps.every((tp) => leader.has(tp))) {
        initialDone = true;
        const by = new Map<number, string[]>();
        for (const tp of tps) {
          const b = leader.get(tp)!.broker;
          by.set(b, [...(by.get(b) ?? []), tp.slice(topic.name.length + 1)]);
        }
        at(`${tps.length > 1 ? `all ${tps.length} partitions of '${topic.name}' have a leader` : `${tps[0]} has a leader`}: ${[...by].sort((a, b) => a[0] - b[0]).map(([b, ps]) => `${brokerName(b)} leads ${ps.join(',')}`).join('; ')}`);
      }
      return;
    }
    if (before !== undefined && before.broker === d.broker && before.epoch === d.leaderEpoch) return;
    const since = noLeaderSince.get(d.tp);
    let text = `${brokerName(d.broker)} leads ${d.tp} (leader epoch ${d.leaderEpoch})`;
    if (since !== undefined) {
      noLeaderSince.delete(d.tp);
      const g = gaps.get(d.tp)!;
      g[g.length - 1]!.toUs = world.nowUs;
      text += `, after ${storyDuration(world.nowUs - since)} without a leader`;
    }
    at(text, 'new leaders take over');
  });
  world.onObserve('kafka-isr', (_p, d) => {
    const prev = isr.get(d.tp);
    isr.set(d.tp, d.isr);
    if (prev === undefined || !initialDone) return;
    const current = leader.get(d.tp);
    if (d.by === 'controller' && current !== undefined && d.leader !== current.broker && d.leader >= 0) {
      // The controller's election: it writes the new leader and ISR to ZooKeeper before the winner's makeLeader.
      const unclean = !prev.includes(d.leader);
      at(`${d.tp} -> ${brokerName(d.leader)} with ISR ${fmtIsr(d.isr)}${unclean ? ` (UNCLEAN election: ${brokerName(d.leader)} was not in the ISR ${fmtIsr(prev)}, so writes only the old ISR had are lost)` : ''}`,
        'the controller elects');
      return;
    }
    const left = prev.filter((b) => !d.isr.includes(b));
    const joined = d.isr.filter((b) => !prev.includes(b));
    if (left.length > 0) at(`${d.tp} ${fmtIsr(d.isr)} (${left.map(brokerName).join(', ')} out)`, `ISR shrinks${d.by === 'controller' ? ' (by the controller)' : ''}`);
    if (joined.length > 0) at(`${d.tp} ${fmtIsr(d.isr)} (${joined.map(brokerName).join(', ')} back)`, 'ISR expands');
  });
  world.onObserve('kafka-truncate', (_p, d) => {
    if (initialDone) at(`${brokerName(d.broker)} ${d.tp} to offset ${d.offset}`, 'followers truncate their logs');
  });
  const died = new Set<number>();
  world.onLifecycle((p, up, reason) => {
    const b = brokerOf(p);
    if (b === null) return;
    if (up) {
      if (died.delete(b)) at(`${brokerName(b)} starts again: recovers its logs, registers in ZooKeeper, rejoins as a follower`);
      return;
    }
    died.add(b);
    if (reason === 'power loss') at(`${brokerName(b)} is down (power loss: its unflushed page cache is gone)`);
    const lost: string[] = [];
    for (const [tp, l] of leader) {
      if (l.broker !== b || noLeaderSince.has(tp)) continue;
      noLeaderSince.set(tp, world.nowUs);
      gaps.set(tp, [...(gaps.get(tp) ?? []), { fromUs: world.nowUs, toUs: null }]);
      lost.push(tp);
    }
    if (lost.length > 0) at(`${lost.join(', ')} ${lost.length > 1 ? 'have' : 'has'} no live leader (${brokerName(b)} led ${lost.length > 1 ? 'them' : 'it'})`);
  });

  return {
    tell(endUs: number): StoryEntry[] {
      const lines: string[] = [];
      for (const tp of tps) {
        const g = gaps.get(tp);
        if (g === undefined) continue;
        const total = g.reduce((s, x) => s + ((x.toUs ?? endUs) - x.fromUs), 0);
        const spans = g.map((x) => `${(x.fromUs / 1e6).toFixed(1)}-${x.toUs === null ? 'end' : (x.toUs / 1e6).toFixed(1)} s`).join(', ');
        lines.push(`${tp} ${storyDuration(total)} (${spans})`);
      }
      const others = tps.length - lines.length;
      const summary = lines.length === 0
        ? `every partition of '${topic.name}' had a live leader throughout`
        : `time without a live leader: ${lines.join('; ')}${others > 0 ? `; the other ${others} partition${others > 1 ? 's' : ''} always had one` : ''}`;
      return [...entries, { atUs: endUs, text: summary }];
    },
  };
}
