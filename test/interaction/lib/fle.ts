import { MS } from '../../../sim/core/types.ts';
import { FastLeaderElection, type ElectionHost } from '../../../sim/zookeeper/election.ts';
import type { Notification, ServerState } from '../../../sim/zookeeper/messages.ts';
import { makeZxid, type Zxid } from '../../../sim/zookeeper/zxid.ts';
import type { Driver } from './driver.ts';
import { shortZxid } from './zookeeper.ts';

// Fast Leader Election alone, as etcd raft's interaction tests drive a RawNode: one server's
// FastLeaderElection (the class a ZkPeer runs) with a host that records what it broadcasts, the
// timer it arms and what it decides. The script feeds it notifications and moves its clock.

function zxidArg(text: string | undefined, what: string): Zxid {
  const m = /^(\d+)\.(\d+)$/.exec(text ?? '');
  if (m === null) throw new Error(`${what} must be epoch.counter, e.g. 1.5 (got '${text ?? ''}')`);
  return makeZxid(Number(m[1]), Number(m[2]));
}

function intArg(text: string | undefined, what: string): number {
  const v = Number(text);
  if (text === undefined || !Number.isInteger(v)) throw new Error(`${what} must be an integer (got '${text ?? ''}')`);
  return v;
}

export function fleCommands(d: Driver): void {
  let fle: FastLeaderElection | null = null;
  let nowUs = 0;
  let timerAtUs = -1;
  const events: string[] = [];
  const election = (): FastLeaderElection => {
    if (fle === null) throw new Error('no election: start with `fle servers=N me=S epoch=E zxid=E.C`');
    return fle;
  };
  const flush = (out: string[]): void => {
    out.push(...events);
    events.length = 0;
  };

  // fle servers=N me=S epoch=E zxid=E.C [logicalclock=L] [finalizeWait=200]: a server with
  // currentEpoch E and last logged zxid E.C, before its election starts.
  d.on('fle', (c) => {
    const sid = intArg(c.kv.get('me'), 'me');
    const servers = intArg(c.kv.get('servers'), 'servers');
    nowUs = 0;
    timerAtUs = -1;
    events.length = 0;
    const host: ElectionHost = {
      sid,
      servers,
      nowUs: () => nowUs,
      broadcast: (n) => events.push(`broadcast: ${formatNotification(n)}`),
      armTimer: (delayUs) => {
        timerAtUs = nowUs + delayUs;
      },
      decided: (leader, vote) => events.push(`decided: ${leader === sid ? 'LEADING' : 'FOLLOWING'} leader ${leader} (zxid ${shortZxid(vote.zxid)}, peerEpoch ${vote.peerEpoch}, electionEpoch ${vote.electionEpoch})`),
      note: () => {},
    };
    fle = new FastLeaderElection(host, {
      lastLoggedZxid: zxidArg(c.kv.get('zxid'), 'zxid'),
      currentEpoch: intArg(c.kv.get('epoch'), 'epoch'),
      logicalclock: Number(c.kv.get('logicalclock') ?? '0'),
      minNotificationIntervalMs: 200,
      maxNotificationIntervalMs: 60_000,
      finalizeWaitMs: Number(c.kv.get('finalizeWait') ?? '200'),
    });
  });

  d.on('elect', (_c, out) => {
    election().start();
    flush(out);
  });

  // recv from=S [state=LOOKING|FOLLOWING|LEADING] leader=L zxid=E.C peerEpoch=P electionEpoch=X
  d.on('recv', (c, out) => {
    const n: Notification = {
      type: 'Notification',
      sid: intArg(c.kv.get('from'), 'from'),
      state: (c.kv.get('state') ?? 'LOOKING') as ServerState,
      leader: intArg(c.kv.get('leader'), 'leader'),
      zxid: zxidArg(c.kv.get('zxid'), 'zxid'),
      peerEpoch: intArg(c.kv.get('peerEpoch'), 'peerEpoch'),
      electionEpoch: intArg(c.kv.get('electionEpoch'), 'electionEpoch'),
    };
    election().onNotification(n);
    flush(out);
  });

  // tick <ms>: the clock moves on; the armed timer fires if it is due (finalizeWait ends, or a
  // notification timeout resends).
  d.on('tick', (c, out) => {
    const e = election();
    nowUs += intArg(c.args[0]?.replace(/ms$/, ''), 'tick <ms>') * MS;
    while (timerAtUs >= 0 && timerAtUs <= nowUs && !e.done) {
      timerAtUs = -1;
      e.onTimer();
    }
    flush(out);
  });

  // proposal: the current proposal, election epoch, and the votes received in this election epoch.
  d.on('proposal', (_c, out) => {
    const e = election();
    out.push(`proposal: leader ${e.proposedLeader} zxid ${shortZxid(e.proposedZxid)} peerEpoch ${e.proposedEpoch}, electionEpoch ${e.logicalclock}${e.done ? ', decided' : ''}`);
    const votes = [...e.recvset].sort((a, b) => a[0] - b[0]).map(([sid, v]) => `${sid}->${v.leader}(${shortZxid(v.zxid)}, ${v.peerEpoch})`);
    out.push(`votes: ${votes.length === 0 ? 'none' : votes.join(' ')}`);
    out.push(`timer: ${timerAtUs < 0 ? 'none' : `at ${timerAtUs / MS} ms`}`);
  });
}

function formatNotification(n: Notification): string {
  return `${n.state} leader ${n.leader} zxid ${shortZxid(n.zxid)} peerEpoch ${n.peerEpoch} electionEpoch ${n.electionEpoch}`;
}
