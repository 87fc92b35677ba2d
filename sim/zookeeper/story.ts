import { type Narrator, type StoryEntry } from '../harness/story.ts';
import type { World } from '../world/world.ts';

// ZooKeeper's part of the story of a run (harness/story.ts): which peer leads the ensemble and from
// which epoch (a quorum acknowledged NEWLEADER), when a leader gives up and why, whose sessions the
// leader expires, and TRUNC syncs that cut a learner's txn log. Peers are zk-<sid>.

const hex = (n: number): string => `0x${n.toString(16)}`;

export function zkNarrator(world: World): Narrator {
  const entries: StoryEntry[] = [];
  const at = (text: string, group?: string): void => {
    entries.push(group === undefined ? { atUs: world.nowUs, text } : { atUs: world.nowUs, text, group });
  };
  const clientOf = new Map<number, string>();
  world.onObserve('zk-leader-established', (_p, d) => at(`zk-${d.sid} leads the ZooKeeper ensemble (epoch ${d.epoch}; a quorum acknowledged NEWLEADER)`));
  world.onObserve('zk-leader-lost', (_p, d) => at(`zk-${d.sid} stops leading epoch ${d.epoch}: ${d.reason}`));
  world.onObserve('zk-session-state', (_p, d) => {
    if (d.state === 'CONNECTED') clientOf.set(d.session, d.client);
  });
  world.onObserve('zk-session-expire', (_p, d) => {
    const who = clientOf.get(d.session);
    at(`${who !== undefined ? `${who}'s session` : 'session'} ${hex(d.session)}`, 'ZooKeeper expires sessions');
  });
  world.onObserve('zk-truncate', (_p, d) => at(`zk-${d.sid} truncates its txn log from zxid ${hex(d.from)} to ${hex(d.to)} (TRUNC)`));
  const down = new Set<number>();
  world.onLifecycle((p, up, reason) => {
    if (world.procSystem[p] !== 'zookeeper' || world.procRole[p] !== 'peer') return;
    const name = world.procNames[p]!;
    if (!up) {
      down.add(p);
      at(`${name} is down (${reason === 'power loss' ? 'power loss: what it had not fsynced is gone' : reason === 'nemesis' || reason === 'crash' ? 'killed: what it wrote is still in the page cache' : reason})`);
    } else if (down.delete(p)) {
      at(`${name} starts again: loads its snapshot and replays its txn log, then looks for the leader`);
    }
  });
  return { tell: () => entries };
}
