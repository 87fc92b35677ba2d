import type { Json } from '../../../sim/core/types.ts';
import { TraceWriter } from './trace-writer.ts';

// A synthetic ZooKeeper trace for the viewer's tests, following docs/inspect-views.md: three peers
// elect zk-3, a client opens a session and creates an ephemeral lock node, the leader crashes,
// zk-2 wins the next election in epoch 2, and zk-3 rejoins as a follower. A scripted story, not
// the protocol: it only has to produce views a real ensemble could show.

const MS = 1000;

interface Peer {
  myid: number;
  name: string;
  up: boolean;
  role: 'looking' | 'leading' | 'following';
  acceptedEpoch: number;
  currentEpoch: number;
  electionEpoch: number;
  vote: { leader: number; zxid: string; peerEpoch: number };
  leader: number | null;
  lastZxid: string;
  committedZxid: string;
  tree: { [path: string]: { data: string; version: number; cversion: number; ephemeralOwner: string } };
}

export function zxid(epoch: number, counter: number): string {
  return `0x${epoch.toString(16)}${counter.toString(16).padStart(8, '0')}`;
}

function view(p: Peer, sessions: number): Json {
  return {
    role: p.role, myid: p.myid, acceptedEpoch: p.acceptedEpoch, currentEpoch: p.currentEpoch,
    electionEpoch: p.electionEpoch, vote: p.vote, leader: p.leader, lastZxid: p.lastZxid,
    committedZxid: p.committedZxid, sessions, znodes: Object.keys(p.tree).length, tree: p.tree,
  };
}

export interface ZkStory {
  readonly text: string;
  readonly moments: { readonly [name: string]: number };
  readonly sessionId: string;
}

export function zookeeperStory(): ZkStory {
  const w = new TraceWriter(
    'synthetic-zookeeper-election',
    [{ name: 'zk1', rack: '/rack-a' }, { name: 'zk2', rack: '/rack-b' }, { name: 'zk3', rack: '/rack-c' }, { name: 'app-1', rack: '/rack-a' }],
    [
      { name: 'zk-1', host: 'zk1', system: 'zookeeper', role: 'peer' },
      { name: 'zk-2', host: 'zk2', system: 'zookeeper', role: 'peer' },
      { name: 'zk-3', host: 'zk3', system: 'zookeeper', role: 'peer' },
      { name: 'client-1', host: 'app-1', system: 'zookeeper', role: 'client' },
    ],
    { 'zookeeper.tickTime': 2000, 'zookeeper.initLimit': 10, 'zookeeper.syncLimit': 5 },
    'at 3s crash zk-3 for 3s\n',
  );
  const moments: { [name: string]: number } = {};
  const peers: Peer[] = [1, 2, 3].map((myid) => ({
    myid, name: `zk-${myid}`, up: true, role: 'looking', acceptedEpoch: 0, currentEpoch: 0, electionEpoch: 0,
    vote: { leader: myid, zxid: '0x0', peerEpoch: 0 }, leader: null, lastZxid: '0x0', committedZxid: '0x0',
    tree: { '/': { data: '', version: 0, cversion: 0, ephemeralOwner: '0x0' }, '/zookeeper': { data: '', version: 0, cversion: 0, ephemeralOwner: '0x0' } },
  }));
  let sessions = 0;
  let c = 0;
  const step = (): number => (c += 250);
  const record = (p: Peer): void => {
    if (p.up) w.state(p.name, view(p, p.role === 'leading' ? sessions : 0));
  };
  const msg = (from: Peer | string, to: Peer | string, m: { type: string; [k: string]: Json }): void => {
    const fromName = typeof from === 'string' ? from : from.name;
    const toName = typeof to === 'string' ? to : to.name;
    w.at(step());
    const id = w.send(fromName, toName, m, 64);
    w.at(step());
    if (typeof to !== 'string' && !to.up) w.drop(toName, fromName, id, 'process down');
    else w.deliver(toName, fromName, id);
  };

  const elect = (electionEpoch: number, tUs: number): Peer => {
    c = tUs;
    const live = peers.filter((p) => p.up);
    for (const p of live) {
      p.role = 'looking';
      p.leader = null;
      p.electionEpoch = electionEpoch;
      p.vote = { leader: p.myid, zxid: p.lastZxid, peerEpoch: p.currentEpoch };
      w.at(step());
      record(p);
    }
    // Fast leader election: the highest (epoch, zxid, myid) wins; every live peer adopts that vote.
    const key = (p: Peer): bigint => BigInt(p.lastZxid) * 1000n + BigInt(p.myid);
    const winner = live.slice().sort((a, b) => (key(b) > key(a) ? 1 : key(b) < key(a) ? -1 : 0))[0]!;
    for (const p of live) for (const q of live) if (p !== q) msg(p, q, { type: 'Notification', leader: p.myid, zxid: p.lastZxid, electionEpoch });
    for (const p of live) {
      p.vote = { leader: winner.myid, zxid: winner.lastZxid, peerEpoch: winner.currentEpoch };
      w.at(step());
      record(p);
    }
    const epoch = Math.max(...live.map((p) => p.acceptedEpoch)) + 1;
    for (const p of live) {
      p.role = p === winner ? 'leading' : 'following';
      p.leader = winner.myid;
      p.acceptedEpoch = epoch;
      if (p !== winner) msg(winner, p, { type: 'NEWLEADER', epoch, zxid: winner.lastZxid });
      p.currentEpoch = epoch;
      w.at(step());
      record(p);
    }
    w.note(winner.name, `${winner.name} is leading in epoch ${epoch}: ${live.length} of 3 peers voted for it (quorum is 2); election epoch ${electionEpoch}`);
    return winner;
  };

  let counter = 0;
  const commit = (leader: Peer, change: (tree: Peer['tree']) => void, what: string): void => {
    counter++;
    const z = zxid(leader.currentEpoch, counter);
    for (const p of peers) {
      if (!p.up) continue;
      if (p !== leader) {
        msg(leader, p, { type: 'PROPOSAL', zxid: z, txn: what });
        msg(p, leader, { type: 'ACK', zxid: z });
      }
    }
    for (const p of peers) {
      if (!p.up) continue;
      if (p !== leader) msg(leader, p, { type: 'COMMIT', zxid: z });
      change(p.tree);
      p.lastZxid = z;
      p.committedZxid = z;
      w.at(step());
      record(p);
    }
  };

  // ---- election 1
  w.at(0);
  w.phase('faults');
  for (const p of peers) {
    w.at(0);
    w.start(p.name);
    record(p);
  }
  w.at(0);
  w.start('client-1');
  w.state('client-1', { role: 'client', sessionId: '0x0', state: 'CONNECTING', server: 'zk-1' });
  let leader = elect(1, 10 * MS);
  moments['elected1'] = w.now;
  counter = 0;

  // ---- a session and an ephemeral lock node
  const sessionId = '0x100000a1b2c0001';
  c = 200 * MS;
  msg('client-1', peers[0]!, { type: 'ConnectRequest', timeoutMs: 6000 });
  sessions = 1;
  commit(leader, () => undefined, 'createSession');
  w.at(step());
  w.state('client-1', { role: 'client', sessionId, state: 'CONNECTED', server: 'zk-1' });
  commit(leader, (t) => { t['/app'] = { data: 'v0', version: 0, cversion: 0, ephemeralOwner: '0x0' }; }, 'create /app');
  commit(leader, (t) => {
    t['/app/lock-0000000001'] = { data: 'client-1', version: 0, cversion: 0, ephemeralOwner: sessionId };
    t['/app'] = { ...t['/app']!, cversion: 1 };
  }, 'create -e /app/lock-0000000001');
  w.at(step());
  w.op('client-1', 1, 'invoke', 'create', '/app/lock-0000000001', 'client-1');
  w.at(step());
  w.op('client-1', 1, 'ok', 'create', '/app/lock-0000000001', '/app/lock-0000000001');
  moments['lockCreated'] = w.now;

  // ---- writes every 500 ms; the leader crashes at 3 s
  for (let k = 1; k <= 14; k++) {
    const tMs = 500 + k * 500;
    c = tMs * MS;
    if (tMs === 3000) {
      w.at(c);
      peers[2]!.up = false;
      w.crash('zk-3', 'nemesis');
      moments['crash'] = w.now;
      leader = elect(2, c + 200 * MS);
      moments['elected2'] = w.now;
      counter = 0;
      continue;
    }
    if (tMs === 6000) {
      w.at(c);
      const p3 = peers[2]!;
      p3.up = true;
      w.start('zk-3', 2);
      p3.role = 'looking';
      p3.leader = null;
      record(p3);
      msg(p3, leader, { type: 'FOLLOWERINFO', acceptedEpoch: p3.acceptedEpoch });
      // DIFF sync: the leader sends what zk-3 missed.
      p3.tree = JSON.parse(JSON.stringify(leader.tree)) as Peer['tree'];
      p3.lastZxid = leader.lastZxid;
      p3.committedZxid = leader.committedZxid;
      p3.role = 'following';
      p3.leader = leader.myid;
      p3.acceptedEpoch = leader.acceptedEpoch;
      p3.currentEpoch = leader.currentEpoch;
      msg(leader, p3, { type: 'DIFF', zxid: leader.lastZxid });
      w.at(step());
      record(p3);
      w.note('zk-3', `zk-3 rejoins as a follower of ${leader.name} in epoch ${leader.currentEpoch} (DIFF sync to ${leader.lastZxid})`);
      moments['rejoined'] = w.now;
      continue;
    }
    commit(leader, (t) => {
      const prev = t['/app']!;
      t['/app'] = { ...prev, data: `v${k}`, version: prev.version + 1 };
    }, `setData /app v${k}`);
  }
  w.at(8000 * MS);
  w.heal('end of fault phase: every fault lifted');
  w.phase('quiesce');
  w.end();
  return { text: w.text(), moments, sessionId };
}
