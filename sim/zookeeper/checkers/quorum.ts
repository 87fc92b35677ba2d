// zk-quorum-commit: a minority never commits. Every commit a leader makes, and every leader's
// establishment (the NEWLEADER acks that commit its history), must be backed by acknowledgements
// from a quorum of servers, each of which said it had logged the proposal (its zk-ack observation).

import type { Checker } from '../../world/checker.ts';
import type { World } from '../../world/world.ts';
import { quorumSize } from '../vote.ts';
import { formatZxid, makeZxid } from '../zxid.ts';

export function quorumCommitChecker(names: readonly string[]): Checker {
  const servers = names.length;
  const acks = new Map<number, number>();
  const q = quorumSize(servers);
  const count = (zxid: number): number => {
    let x = acks.get(zxid) ?? 0;
    let n = 0;
    while (x !== 0) {
      x &= x - 1;
      n++;
    }
    return n;
  };
  const who = (zxid: number): string => {
    const x = acks.get(zxid) ?? 0;
    const ids: number[] = [];
    for (let i = 0; i < 32; i++) if ((x >>> i) & 1) ids.push(i);
    return ids.length === 0 ? 'nobody' : ids.map((i) => names[i - 1] ?? `server ${i}`).join(', ');
  };
  return {
    name: 'zk-quorum-commit',
    kind: 'safety',
    description: `a commit (and a leader's establishment) needs acknowledgements from a quorum of ${q} of ${servers} servers: a minority never commits`,
    attach(world: World) {
      world.onObserve('zk-ack', (_p, d) => {
        acks.set(d.zxid, (acks.get(d.zxid) ?? 0) | (1 << d.sid));
      });
      world.onObserve('zk-commit', (pid, d) => {
        if (!d.leader) return;
        const n = count(d.zxid);
        if (n < q) {
          world.reportViolation('zk-quorum-commit', `${world.procNames[pid]} committed ${formatZxid(d.zxid)} with acknowledgements from ${n} server(s) (${who(d.zxid)}); a quorum is ${q}`);
        }
        acks.delete(d.zxid);
      });
      world.onObserve('zk-leader-established', (pid, d) => {
        const z = makeZxid(d.epoch, 0);
        const n = count(z);
        if (n < q) {
          world.reportViolation('zk-quorum-commit', `${world.procNames[pid]} established itself as leader of epoch ${d.epoch} with NEWLEADER acks from ${n} server(s) (${who(z)}); a quorum is ${q}`);
        }
      });
    },
  };
}
