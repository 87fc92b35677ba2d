import { describe, expect, it } from 'vitest';
import type { ZkErrorCode } from '../../sim/zookeeper/messages.ts';
import type { ZkWatchEvent } from '../../sim/zookeeper/client.ts';
import { ensemble } from './helpers.ts';

// The client library against a simulated three-server ensemble: the operations, their errors,
// watches, sessions, and what goes into the history.

describe('ZkClient operations', () => {
  it('creates, reads, updates and deletes a znode with versions and the usual errors', () => {
    const t = ensemble();
    t.run(3000);
    const out: unknown[] = [];
    const rec = (label: string) => (err: ZkErrorCode | null, x?: unknown) => out.push([label, err, x ?? null]);
    t.act('c1', (c) => c.zk.create('/a', 'v0', {}, rec('create')));
    t.act('c1', (c) => c.zk.create('/a', 'again', {}, rec('create twice')));
    t.act('c1', (c) => c.zk.setData('/a', 'v1', 0, (e, s) => rec('setData v0')(e, s?.version)));
    t.act('c1', (c) => c.zk.setData('/a', 'v2', 0, (e, s) => rec('setData stale')(e, s?.version)));
    t.act('c1', (c) => c.zk.getData('/a', {}, (e, d, s) => rec('getData')(e, [d, s?.version])));
    t.act('c1', (c) => c.zk.delete('/a', 0, rec('delete stale')));
    t.act('c1', (c) => c.zk.delete('/a', 1, rec('delete')));
    t.act('c1', (c) => c.zk.getData('/a', {}, (e) => rec('getData gone')(e)));
    t.act('c1', (c) => c.zk.exists('/a', {}, (e, s) => rec('exists gone')(e, s)));
    expect(out).toEqual([
      ['create', null, '/a'],
      ['create twice', 'NODEEXISTS', null],
      ['setData v0', null, 1],
      ['setData stale', 'BADVERSION', null],
      ['getData', null, ['v1', 1]],
      ['delete stale', 'BADVERSION', null],
      ['delete', null, null],
      ['getData gone', 'NONODE', null],
      ['exists gone', null, null],
    ]);
  });

  it('names sequential nodes with the parent\'s cversion and lists children in order', () => {
    const t = ensemble();
    t.run(3000);
    const names: (string | null)[] = [];
    t.act('c1', (c) => c.zk.create('/q', '', {}, () => undefined));
    for (let i = 0; i < 3; i++) t.act('c1', (c) => c.zk.create('/q/item-', '', { sequential: true }, (_e, p) => names.push(p)));
    let children: readonly string[] | null = null;
    t.act('c1', (c) => c.zk.getChildren('/q', {}, (_e, ch) => { children = ch; }));
    expect(names).toEqual(['/q/item-0000000000', '/q/item-0000000001', '/q/item-0000000002']);
    expect(children).toEqual(['item-0000000000', 'item-0000000001', 'item-0000000002']);
  });

  it('runs a multi all or nothing', () => {
    const t = ensemble();
    t.run(3000);
    const res: unknown[] = [];
    t.act('c1', (c) => c.zk.create('/m', '', {}, () => undefined));
    t.act('c1', (c) => c.zk.multi([{ op: 'check', path: '/m', version: 3 }, { op: 'create', path: '/m/x', data: '' }], (e, r) => res.push([e, r])));
    t.act('c1', (c) => c.zk.exists('/m/x', {}, (_e, s) => res.push(s === null ? 'absent' : 'present')));
    t.act('c1', (c) => c.zk.multi([{ op: 'check', path: '/m', version: 0 }, { op: 'create', path: '/m/x', data: '' }, { op: 'setData', path: '/m', data: 'd', version: 0 }], (e, r) => res.push([e, r?.map((x) => x.op)])));
    // A failed multi hands the client every op's result (KeeperException.getResults()).
    expect(res).toEqual([
      ['BADVERSION', [{ op: 'error', err: 'BADVERSION' }, { op: 'error', err: 'RUNTIMEINCONSISTENCY' }]],
      'absent',
      [null, ['check', 'create', 'setData']],
    ]);
  });

  it('a request above jute.maxbuffer closes the connection: CONNECTIONLOSS, then the session goes on', () => {
    const t = ensemble({ config: { 'zookeeper.jute.maxbuffer': 4096 } });
    t.run(3000);
    const out: unknown[] = [];
    t.act('c1', (c) => c.zk.create('/big', 'x'.repeat(5000), {}, (e, p) => out.push(['big', e, p])));
    t.run(5000);
    t.act('c1', (c) => c.zk.create('/small', 'x'.repeat(1000), {}, (e, p) => out.push(['small', e, p])));
    expect(out).toEqual([['big', 'CONNECTIONLOSS', null], ['small', null, '/small']]);
  });

  it('a one-server ensemble elects itself (its own vote is a quorum of one) and serves', () => {
    const t = ensemble({ servers: 1 });
    t.run(3000);
    const out: unknown[] = [];
    t.act('c1', (c) => c.zk.create('/solo', 'x', {}, (e, p) => out.push([e, p])));
    t.act('c1', (c) => c.zk.getData('/solo', {}, (e, d) => out.push([e, d])));
    expect(out).toEqual([[null, '/solo'], [null, 'x']]);
  });

  it('records every operation in the history: ok with the reply zxid and session, fail for definite errors', () => {
    const t = ensemble();
    t.run(3000);
    t.act('c1', (c) => c.zk.create('/h', 'x', {}, () => undefined));
    t.act('c1', (c) => c.zk.create('/h', 'x', {}, () => undefined));
    const ops = t.world.history.operations();
    expect(ops.map((o) => [o.f, o.key, o.status, o.error ?? null])).toEqual([['create', '/h', 'ok', null], ['create', '/h', 'fail', 'NODEEXISTS']]);
    const out = ops[0]!.output as { zxid: number; session: number; path: string };
    expect(out.path).toBe('/h');
    expect(out.session).toBe(t.client('c1').zk.sessionId);
    expect(out.zxid).toBe(t.leader()!.tree.get('/h')!.czxid);
  });
});

describe('watches', () => {
  it('a data watch fires once, before the watcher can read the new data', () => {
    const t = ensemble({ clients: ['c1', 'c2'] });
    t.run(3000);
    const seen: string[] = [];
    t.act('c1', (c) => c.zk.create('/w', 'v0', {}, () => undefined));
    t.act('c2', (c) => c.zk.getData('/w', { watch: (e: ZkWatchEvent) => {
      seen.push(`event ${e.type}`);
      c.zk.getData('/w', {}, (_e, d) => seen.push(`read ${d}`));
    } }, (_e, d) => seen.push(`read ${d}`)));
    t.act('c1', (c) => c.zk.setData('/w', 'v1', -1, () => undefined));
    t.act('c1', (c) => c.zk.setData('/w', 'v2', -1, () => undefined), 500);
    expect(seen.slice(0, 2)).toEqual(['read v0', 'event NodeDataChanged']);
    expect(seen.filter((s) => s.startsWith('event'))).toHaveLength(1);
    expect(['read v1', 'read v2']).toContain(seen[2]);
  });

  it('an exists watch on a missing node fires NodeCreated; a child watch fires NodeChildrenChanged', () => {
    const t = ensemble({ clients: ['c1', 'c2'] });
    t.run(3000);
    const seen: string[] = [];
    t.act('c2', (c) => c.zk.exists('/later', { watch: (e) => seen.push(`${e.type} ${e.path}`) }, () => undefined));
    t.act('c2', (c) => c.zk.getChildren('/', { watch: (e) => seen.push(`${e.type} ${e.path}`) }, () => undefined));
    t.act('c1', (c) => c.zk.create('/later', '', {}, () => undefined), 500);
    expect(seen.sort()).toEqual(['NodeChildrenChanged /', 'NodeCreated /later']);
  });
});

describe('sessions', () => {
  it('negotiates the timeout within [2, 20] ticks', () => {
    const t = ensemble({ sessionTimeoutMs: 100 });
    t.run(3000);
    expect(t.client('c1').zk.sessionTimeoutMs).toBe(4000);
  });

  it('deletes a dead client\'s ephemeral node once its session expires, and tells the watchers', () => {
    const t = ensemble({ clients: ['c1', 'c2'] });
    t.run(3000);
    const seen: string[] = [];
    t.act('c1', (c) => c.zk.create('/eph', '', { ephemeral: true }, () => undefined));
    t.act('c2', (c) => c.zk.exists('/eph', { watch: (e) => seen.push(`${e.type} at ${Math.round(t.world.nowUs / 1000)}`) }, () => undefined));
    const crashAt = t.world.nowUs / 1000;
    t.world.stop(t.world.pid('c1'));
    t.run(5000);
    expect(seen).toEqual([]); // 6 s timeout: not yet
    t.run(5000);
    expect(seen).toHaveLength(1);
    const firedAt = Number(seen[0]!.split(' at ')[1]);
    // The session expires in the tick bucket after its last contact + 6 s (tickTime 2 s).
    expect(firedAt - crashAt).toBeGreaterThanOrEqual(6000 - 2000);
    expect(firedAt - crashAt).toBeLessThanOrEqual(6000 + 2000 + 500);
    expect(seen[0]).toMatch(/^NodeDeleted/);
  });

  it('fails pending operations with CONNECTIONLOSS (info in the history) and keeps the session on another server', () => {
    const t = ensemble();
    t.run(3000);
    const c = t.client('c1');
    const server = c.zk.connectedServer!;
    const session = c.zk.sessionId;
    const results: (ZkErrorCode | null)[] = [];
    t.world.schedule(t.world.nowUs, () => {
      c.zk.create('/x', '', {}, (e) => results.push(e));
      t.world.crash(t.world.pid(server));
    });
    t.run(5000);
    expect(results).toEqual(['CONNECTIONLOSS']);
    expect(t.world.history.operations()[0]!.status).toBe('info');
    expect(c.zk.state).toBe('CONNECTED');
    expect(c.zk.sessionId).toBe(session);
    expect(c.zk.connectedServer).not.toBe(server);
    expect(c.events.map((e) => e.state)).toEqual(['SyncConnected', 'Disconnected', 'SyncConnected']);
  });

  it('learns SESSIONEXPIRED only when it reconnects after the session expired', () => {
    const t = ensemble();
    t.run(3000);
    const c = t.client('c1');
    const host = t.world.procHost[t.world.pid('c1')]!;
    t.world.net.cutLinks(t.servers.flatMap((s) => {
      const h = t.world.procHost[t.world.pid(s)]!;
      return [[host, h], [h, host]] as [number, number][];
    }));
    t.run(15000);
    expect(c.zk.state).toBe('CONNECTING'); // Disconnected, but no one has told it the session is gone
    t.world.net.healAll();
    t.run(5000);
    expect(c.zk.state).toBe('EXPIRED');
    expect(c.events.map((e) => e.state)).toEqual(['SyncConnected', 'Disconnected', 'Expired']);
    let err: ZkErrorCode | null = null;
    t.act('c1', (x) => x.zk.getData('/', {}, (e) => { err = e; }));
    expect(err).toBe('SESSIONEXPIRED');
  });

  it('sync makes a following read see a write made through another server', () => {
    const t = ensemble({ clients: ['c1', 'c2'] });
    t.run(3000);
    let read: string | null = null;
    t.act('c1', (c) => c.zk.create('/s', 'fresh', {}, () => undefined), 0);
    t.world.runUntil(t.world.nowUs + 2500); // the create commits somewhere; c2 asks right away
    t.act('c2', (c) => c.zk.sync('/', () => c.zk.getData('/s', {}, (_e, d) => { read = d; })));
    expect(read).toBe('fresh');
  });
});
