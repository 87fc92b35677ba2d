import { Rng } from '../../../sim/core/rng.ts';
import type { Stat } from '../../../sim/zookeeper/messages.ts';
import type { ZkWatchEvent } from '../../../sim/zookeeper/client.ts';
import { ZkClient } from '../../../sim/zookeeper/client.ts';
import { ensemble } from '../helpers.ts';
import { JuteClient, type MultiOp, type Op, type RealStat, type Reply } from './jute-client.ts';

// Random client-operation sequences run against the real ZooKeeper and against dsim, each turned
// into the same printed outcome lines so they can be compared line by line. Every sequence works
// under its own root /t<n> (so sequences on the one real server do not interfere) with two
// sessions, A and B. After every operation each open session does a read (a barrier): a watch
// event always reaches a client before the reply of its next read, so events are ordered.
// Compared: error codes, created names, per-op multi results, Stat fields (zxids as offsets from
// the sequence's first zxid, versions, cversion, dataLength, numChildren, ephemeral owner as A/B),
// data, children, the reply zxid offset of every operation, and the watch events of each session.

export type Session = 'A' | 'B';
export type SeqOp = { s: Session; op: Op | { kind: 'reconnect' } };

export interface Sequence {
  readonly id: number;
  readonly root: string;
  readonly ops: readonly SeqOp[];
}

const DATA = ['', 'v', 'hello', 'h\u00e9llo', '\u20ac\u{1F600}', 'x'.repeat(40)];

export function generateSequence(id: number, seed: number): Sequence {
  const rng = new Rng(seed, `zk-diff-${id}`);
  const root = `/t${id}`;
  const pick = <T>(xs: readonly T[]): T => xs[rng.int(0, xs.length - 1)]!;
  const names = [`${root}/a`, `${root}/b`, `${root}/a/c`, `${root}/e`, `${root}/e/x`, `${root}/s-`, `${root}/a/s-`];
  // Odd paths under the sequence's root, and the special paths outside it, which only deletes and
  // reads touch (they fail or read; a write there would leak into the next sequence on the shared
  // real server).
  const odd = [`${root}/a/`, `${root}//a`, `${root}/./a`, `${root}/nope/x`, `${root}/`];
  const special = ['/zookeeper', '/zookeeper/quota', '/zookeeper/config', '/'];
  const path = (): string => (rng.bernoulli(0.1) ? pick(odd) : pick(names));
  const deletePath = (): string => (rng.bernoulli(0.1) ? pick(special) : path());
  const version = (): number => (rng.bernoulli(0.6) ? -1 : rng.int(0, 3));
  const create = (): { path: string; data: string; ephemeral: boolean; sequential: boolean } => ({
    path: path(), data: pick(DATA), ephemeral: rng.bernoulli(0.3), sequential: rng.bernoulli(0.3),
  });
  const multiOp = (): MultiOp => {
    switch (rng.int(0, 3)) {
      case 0: return { op: 'create', ...create() };
      case 1: return { op: 'delete', path: deletePath(), version: version() };
      case 2: return { op: 'setData', path: path(), data: pick(DATA), version: version() };
      default: return { op: 'check', path: path(), version: version() };
    }
  };
  const ops: SeqOp[] = [{ s: 'A', op: { kind: 'create', path: root, data: '', ephemeral: false, sequential: false } }];
  const n = rng.int(8, 20);
  for (let i = 0; i < n; i++) {
    const s: Session = rng.bernoulli(0.5) ? 'A' : 'B';
    const r = rng.float();
    let op: SeqOp['op'];
    if (r < 0.3) op = { kind: 'create', ...create() };
    else if (r < 0.42) op = { kind: 'delete', path: deletePath(), version: version() };
    else if (r < 0.54) op = { kind: 'setData', path: path(), data: pick(DATA), version: version() };
    else if (r < 0.62) op = { kind: 'exists', path: rng.bernoulli(0.05) ? '/zookeeper/quota' : path(), watch: rng.bernoulli(0.6) };
    else if (r < 0.7) op = { kind: 'getData', path: path(), watch: rng.bernoulli(0.6) };
    else if (r < 0.78) op = { kind: 'getChildren', path: pick([root, `${root}/a`, '/zookeeper']), watch: rng.bernoulli(0.6) };
    else if (r < 0.82) op = { kind: 'sync', path: root };
    else if (r < 0.95) op = { kind: 'multi', ops: Array.from({ length: rng.int(1, 4) }, multiOp) };
    else op = { kind: 'reconnect' };
    ops.push({ s, op });
  }
  return { id, root, ops };
}

export function describeOp(o: SeqOp): string {
  return `${o.s}: ${JSON.stringify(o.op)}`;
}

// ------------------------------------------------------------------------------ outcome lines

interface NormStat {
  czxid: number; mzxid: number; pzxid: number; version: number; cversion: number;
  dataLength: number; numChildren: number; owner: string;
}

function statLine(s: NormStat | null): string {
  if (s === null) return 'stat=null';
  return `stat=c${s.czxid},m${s.mzxid},p${s.pzxid},v${s.version},cv${s.cversion},len${s.dataLength},n${s.numChildren},own${s.owner}`;
}

class Normalizer {
  base = 0n;
  readonly owners = new Map<string, string>();
  zx(z: bigint | number): number {
    const b = BigInt(z);
    return b === 0n ? 0 : Number(b - this.base);
  }
  owner(o: bigint | number): string {
    const k = BigInt(o).toString();
    return k === '0' ? '0' : (this.owners.get(k) ?? `?${k}`);
  }
  real(s: RealStat): NormStat {
    return { czxid: this.zx(s.czxid), mzxid: this.zx(s.mzxid), pzxid: this.zx(s.pzxid), version: s.version, cversion: s.cversion, dataLength: s.dataLength, numChildren: s.numChildren, owner: this.owner(s.ephemeralOwner) };
  }
  sim(s: Stat): NormStat {
    return { czxid: this.zx(s.czxid), mzxid: this.zx(s.mzxid), pzxid: this.zx(s.pzxid), version: s.version, cversion: s.cversion, dataLength: s.dataLength, numChildren: s.numChildren, owner: this.owner(s.ephemeralOwner) };
  }
}

// ------------------------------------------------------------------------------ the real server

export async function runReal(port: number, seq: Sequence): Promise<string[]> {
  const out: string[] = [];
  const norm = new Normalizer();
  const conns: Record<Session, JuteClient> = { A: await JuteClient.connect(port, 30_000), B: await JuteClient.connect(port, 30_000) };
  const generation: Record<Session, number> = { A: 1, B: 1 };
  norm.owners.set(conns.A.sessionId.toString(), 'A1');
  norm.owners.set(conns.B.sessionId.toString(), 'B1');
  const barrier = async (): Promise<void> => {
    for (const s of ['A', 'B'] as const) await conns[s].request({ kind: 'exists', path: seq.root, watch: false });
  };
  try {
    for (let i = 0; i < seq.ops.length; i++) {
      const { s, op } = seq.ops[i]!;
      if (op.kind === 'reconnect') {
        await conns[s].close();
        await barrier2(conns, s === 'A' ? 'B' : 'A', seq.root);
        conns[s] = await JuteClient.connect(port, 30_000);
        norm.owners.set(conns[s].sessionId.toString(), `${s}${++generation[s]}`);
        out.push(`${i} ${s} reconnect`);
        continue;
      }
      const r = await conns[s].request(op);
      if (i === 0) norm.base = r.zxid;
      const body = realBody(op, r, norm);
      // A failed multi's reply header says OK; the client API reports the first ErrorResult that is
      // not OK (ZooKeeper.multiInternal), as dsim's client does.
      const err = op.kind === 'multi' && r.err === 'OK' ? (/err:(?!OK)(\w+)/.exec(body)?.[1] ?? 'OK') : r.err;
      out.push(`${i} ${s} ${op.kind} ${err} z${norm.zx(r.zxid)} ${body}`);
      await barrier();
      for (const t of ['A', 'B'] as const) {
        const ev = conns[t].events.splice(0);
        if (ev.length > 0) out.push(`${i} events ${t}: ${ev.join(', ')}`);
      }
    }
  } finally {
    for (const s of ['A', 'B'] as const) await conns[s].close().catch(() => undefined);
  }
  return out;
}

async function barrier2(conns: Record<Session, JuteClient>, s: Session, root: string): Promise<void> {
  await conns[s].request({ kind: 'exists', path: root, watch: false });
}

function realBody(op: Op, r: Reply, norm: Normalizer): string {
  const b = r.body;
  if (op.kind === 'multi') {
    if (b === null) return 'results=null';
    const parts: string[] = [];
    for (;;) {
      const type = b.int();
      const done = b.bool();
      const err = b.int();
      if (done) break;
      if (type === -1) { parts.push(`err:${errName(b.int())}`); continue; }
      switch (type) {
        case 1: parts.push(`create:${b.string()}`); break;
        case 5: parts.push(`setData:${statLine(norm.real(b.stat()))}`); break;
        case 2: parts.push('delete'); break;
        case 13: parts.push('check'); break;
        default: parts.push(`?${type}/${err}`);
      }
    }
    return `results=[${parts.join(' ')}]`;
  }
  if (b === null) return '';
  switch (op.kind) {
    case 'create': return `path=${b.string()}`;
    case 'setData': case 'exists': return statLine(norm.real(b.stat()));
    case 'getData': { const d = b.buffer(); return `data=${JSON.stringify(d?.toString('utf8') ?? null)} ${statLine(norm.real(b.stat()))}`; }
    case 'getChildren': { const n = b.int(); const ch: string[] = []; for (let k = 0; k < n; k++) ch.push(b.string()); return `children=${ch.sort().join(',')}`; }
    default: return '';
  }
}

function errName(code: number): string {
  const names: Record<number, string> = { 0: 'OK', [-2]: 'RUNTIMEINCONSISTENCY', [-8]: 'BADARGUMENTS', [-101]: 'NONODE', [-103]: 'BADVERSION', [-108]: 'NOCHILDRENFOREPHEMERALS', [-110]: 'NODEEXISTS', [-111]: 'NOTEMPTY' };
  return names[code] ?? String(code);
}

// ------------------------------------------------------------------------------ dsim

export function runDsim(seq: Sequence): string[] {
  const t = ensemble({ servers: 1, clients: ['A', 'B'], sessionTimeoutMs: 30_000, config: { 'zookeeper.tickTime': 2000 } });
  t.run(3000);
  const out: string[] = [];
  const norm = new Normalizer();
  const events: Record<Session, string[]> = { A: [], B: [] };
  const generation: Record<Session, number> = { A: 1, B: 1 };
  const sessionOf = (s: Session): number => t.client(s).zk.sessionId;
  norm.owners.set(String(sessionOf('A')), 'A1');
  norm.owners.set(String(sessionOf('B')), 'B1');
  // One watcher per session, as a program's default watcher: registered twice on a path, it is
  // called once (ZKWatchManager's per-path set), which is what the wire's one notification means.
  const watchers: Record<Session, (e: ZkWatchEvent) => void> = {
    A: (e) => { events.A.push(`${e.type} ${e.path}`); },
    B: (e) => { events.B.push(`${e.type} ${e.path}`); },
  };
  const watcher = (s: Session) => watchers[s];
  const historyLen = (): number => t.world.history.all().length;
  for (let i = 0; i < seq.ops.length; i++) {
    const { s, op } = seq.ops[i]!;
    if (op.kind === 'reconnect') {
      const host = t.client(s);
      t.act(s, (c) => c.zk.close());
      t.act(s === 'A' ? 'B' : 'A', (c) => c.zk.exists(seq.root, {}, () => undefined));
      t.act(s, (c) => { c.zk = new ZkClient(c.ctx, { connectString: t.servers, sessionTimeoutMs: 30_000, onEvent: (e) => c.events.push(e) }); }, 1000);
      norm.owners.set(String(host.zk.sessionId), `${s}${++generation[s]}`);
      out.push(`${i} ${s} reconnect`);
      continue;
    }
    let line = '';
    const before = historyLen();
    const w = (op.kind === 'exists' || op.kind === 'getData' || op.kind === 'getChildren') && op.watch ? { watch: watcher(s) } : {};
    t.act(s, (c) => {
      const zk = c.zk;
      switch (op.kind) {
        case 'create': zk.create(op.path, op.data, { ephemeral: op.ephemeral, sequential: op.sequential }, (e, p) => { line = `${e ?? 'OK'}|${e === null ? `path=${p}` : ''}`; }); break;
        case 'delete': zk.delete(op.path, op.version, (e) => { line = `${e ?? 'OK'}|`; }); break;
        case 'setData': zk.setData(op.path, op.data, op.version, (e, st) => { line = `${e ?? 'OK'}|${st !== null ? statLine(norm.sim(st)) : ''}`; }); break;
        case 'exists': zk.exists(op.path, w, (e, st) => { line = `${e ?? (st === null ? 'NONODE' : 'OK')}|${st !== null ? statLine(norm.sim(st)) : ''}`; }); break;
        case 'getData': zk.getData(op.path, w, (e, d, st) => { line = `${e ?? 'OK'}|${st !== null ? `data=${JSON.stringify(d)} ${statLine(norm.sim(st))}` : ''}`; }); break;
        case 'getChildren': zk.getChildren(op.path, w, (e, ch) => { line = `${e ?? 'OK'}|${ch !== null ? `children=${[...ch].sort().join(',')}` : ''}`; }); break;
        case 'sync': zk.sync(op.path, (e) => { line = `${e ?? 'OK'}|`; }); break;
        case 'multi': zk.multi(op.ops.map((m) => (m.op === 'create' ? { ...m } : m)), (e, rs) => {
          const parts = (rs ?? []).map((r) => (r.op === 'error' ? `err:${r.err}` : r.op === 'create' ? `create:${r.path}` : r.op === 'setData' ? `setData:${statLine(norm.sim(r.stat))}` : r.op));
          line = `${e ?? 'OK'}|results=${rs === null ? 'null' : `[${parts.join(' ')}]`}`;
        }); break;
      }
    });
    const zxid = replyZxid(t, before, s);
    if (i === 0) norm.base = BigInt(zxid);
    const [err, body] = line === '' ? ['NO-REPLY', ''] : line.split('|', 2) as [string, string];
    out.push(`${i} ${s} ${op.kind} ${err} z${norm.zx(zxid)} ${body}`);
    for (const u of ['A', 'B'] as const) t.act(u, (c) => c.zk.exists(seq.root, {}, () => undefined));
    for (const u of ['A', 'B'] as const) {
      const ev = events[u].splice(0);
      if (ev.length > 0) out.push(`${i} events ${u}: ${ev.join(', ')}`);
    }
  }
  return out;
}

/** The reply zxid dsim's client recorded in the history for the first completion after `from`. */
function replyZxid(t: ReturnType<typeof ensemble>, from: number, s: Session): number {
  const entries = t.world.history.all();
  for (let k = from; k < entries.length; k++) {
    const e = entries[k]!;
    if (e.type === 'invoke' || e.process !== s) continue;
    const v = e.value as { zxid?: number } | null;
    return v?.zxid ?? -1;
  }
  return -1;
}
