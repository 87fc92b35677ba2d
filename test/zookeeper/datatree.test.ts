import { describe, expect, it } from 'vitest';
import { DataTree, sequentialName, validPath } from '../../sim/zookeeper/datatree.ts';
import type { WriteOp } from '../../sim/zookeeper/messages.ts';
import { Prep } from '../../sim/zookeeper/prep.ts';
import { serializeTxn, txnDigest, type Txn } from '../../sim/zookeeper/txn.ts';
import { makeZxid } from '../../sim/zookeeper/zxid.ts';

/** A leader's view: prepare a request against outstanding changes, then (maybe later) apply it. */
class Harness {
  readonly tree = new DataTree();
  readonly prep = new Prep(this.tree);
  private counter = 0;
  readonly pending: Txn[] = [];
  readonly events: string[] = [];

  propose(op: WriteOp, sessionId = 0x100): Txn {
    const zxid = makeZxid(1, ++this.counter);
    const txn: Txn = { zxid, sessionId, cxid: this.counter, timeMs: this.counter, body: this.prep.prepare(op, sessionId, zxid) };
    this.pending.push(txn);
    return txn;
  }

  commitAll(): ReturnType<DataTree['apply']>[] {
    const out = this.pending.splice(0).map((t) => {
      const r = this.tree.apply(t, txnDigest(serializeTxn(t)), { trigger: (p, e) => this.events.push(`${e} ${p}`) });
      this.prep.committed(t.zxid);
      return r;
    });
    return out;
  }

  run(op: WriteOp, sessionId = 0x100): ReturnType<DataTree['apply']> {
    this.propose(op, sessionId);
    return this.commitAll()[0]!;
  }
}

const create = (path: string, opts: { ephemeral?: boolean; sequential?: boolean; data?: string } = {}): WriteOp =>
  ({ kind: 'create', path, data: opts.data ?? '', ephemeral: opts.ephemeral === true, sequential: opts.sequential === true });

describe('sequential znodes', () => {
  it('names a sequential node after the parent\'s cversion, as 10 digits', () => {
    expect(sequentialName('/lock/n-', 7)).toBe('/lock/n-0000000007');
    const h = new Harness();
    h.run(create('/lock'));
    expect(h.run(create('/lock/n-', { sequential: true })).path).toBe('/lock/n-0000000000');
    expect(h.run(create('/lock/n-', { sequential: true })).path).toBe('/lock/n-0000000001');
    h.run({ kind: 'delete', path: '/lock/n-0000000000', version: -1 });
    // The stored cversion counts creates only (DataTree.deleteNode moves pzxid): two creates, so 2.
    expect(h.run(create('/lock/x-', { sequential: true })).path).toBe('/lock/x-0000000002');
  });

  it('after create /e and delete /e, the next sequential child of / is numbered 1, as in ZooKeeper 3.8', () => {
    const h = new Harness();
    h.run(create('/e'));
    h.run({ kind: 'delete', path: '/e', version: -1 });
    expect(h.run(create('/s-', { sequential: true })).path).toBe('/s-0000000001');
  });

  it('reports cversion as the count of changes: 2 x creates - children (DataNode.copyStat)', () => {
    const h = new Harness();
    // The root's /zookeeper child was never created by a txn: -1, as `stat /` shows in ZooKeeper.
    expect(h.tree.get('/')!.stat().cversion).toBe(-1);
    expect(h.tree.get('/zookeeper')!.stat().cversion).toBe(-2);
    h.run(create('/p'));
    h.run(create('/p/a'));
    h.run(create('/p/b'));
    h.run({ kind: 'delete', path: '/p/a', version: -1 });
    expect(h.tree.get('/p')!.stat()).toMatchObject({ cversion: 3, numChildren: 1 });
  });

  it('counts creates still in flight when naming (outstanding changes)', () => {
    const h = new Harness();
    h.run(create('/q'));
    const a = h.propose(create('/q/i-', { sequential: true }));
    const b = h.propose(create('/q/i-', { sequential: true }));
    expect([a.body, b.body].map((x) => (x as { path: string }).path)).toEqual(['/q/i-0000000000', '/q/i-0000000001']);
  });
});

describe('versions and conditional writes', () => {
  it('bumps version on setData and rejects a stale expected version with BADVERSION', () => {
    const h = new Harness();
    h.run(create('/a'));
    expect(h.run({ kind: 'setData', path: '/a', data: 'x', version: 0 }).stat?.version).toBe(1);
    expect(h.run({ kind: 'setData', path: '/a', data: 'y', version: 0 }).err).toBe('BADVERSION');
    expect(h.run({ kind: 'setData', path: '/a', data: 'z', version: -1 }).stat?.version).toBe(2);
    expect(h.tree.get('/a')!.data).toBe('z');
  });

  it('refuses to delete a node with children (NOTEMPTY) or at the wrong version', () => {
    const h = new Harness();
    h.run(create('/a'));
    h.run(create('/a/b'));
    expect(h.run({ kind: 'delete', path: '/a', version: -1 }).err).toBe('NOTEMPTY');
    expect(h.run({ kind: 'delete', path: '/a/b', version: 3 }).err).toBe('BADVERSION');
    expect(h.run({ kind: 'delete', path: '/a/b', version: 0 }).err).toBeNull();
  });

  it('validates against in-flight changes: a second create of the same path fails before the first commits', () => {
    const h = new Harness();
    h.propose(create('/x'));
    const second = h.propose(create('/x'));
    expect(second.body).toEqual({ t: 'error', err: 'NODEEXISTS' });
  });

  it('fails creates under a missing parent or an ephemeral node, and bad paths', () => {
    const h = new Harness();
    expect(h.run(create('/no/child')).err).toBe('NONODE');
    h.run(create('/e', { ephemeral: true }));
    expect(h.run(create('/e/c')).err).toBe('NOCHILDRENFOREPHEMERALS');
    expect(h.run(create('/bad/')).err).toBe('NONODE'); // the parent /bad is looked up before the path is checked
    h.run(create('/c'));
    expect(h.run(create('/c/')).err).toBe('BADARGUMENTS');
    // The full path is checked after the sequential suffix: "/c/" + suffix is a valid name.
    expect(h.run(create('/c/', { sequential: true })).path).toBe('/c/0000000000');
    expect(h.run(create('no-slash')).err).toBe('BADARGUMENTS');
    // NODEEXISTS is checked before the ephemeral parent.
    h.run(create('/e/x', { ephemeral: false }));
    expect(h.run(create('/e', { ephemeral: true })).err).toBe('NODEEXISTS');
    expect(['/', '/a', '/a/b'].map(validPath)).toEqual([true, true, true]);
    expect(['', 'a', '/a/', '//a', '/a/../b', '/.'].map(validPath)).toEqual([false, false, false, false, false, false]);
  });
});

describe('special paths and deletes (PrepRequestProcessor.getParentPathAndValidate)', () => {
  it('refuses to delete /, /zookeeper and its children with BADARGUMENTS', () => {
    const h = new Harness();
    for (const p of ['/', '/zookeeper', '/zookeeper/quota', '/zookeeper/config']) {
      expect(h.run({ kind: 'delete', path: p, version: -1 }).err, p).toBe('BADARGUMENTS');
    }
    expect(h.tree.children('/zookeeper')).toEqual(['config', 'quota']);
  });

  it('a delete of "/x/" is NONODE (no path check on delete, the node "/x/" does not exist)', () => {
    const h = new Harness();
    h.run(create('/x'));
    expect(h.run({ kind: 'delete', path: '/x/', version: -1 }).err).toBe('NONODE');
    expect(h.run({ kind: 'delete', path: '/nope/', version: -1 }).err).toBe('NONODE');
  });

  it('counts dataLength in UTF-8 bytes', () => {
    const h = new Harness();
    h.run(create('/u', { data: 'h\u00e9\u20ac\u{1F600}' }));
    expect(h.tree.get('/u')!.stat().dataLength).toBe(1 + 2 + 3 + 4);
  });
});

describe('multi', () => {
  it('applies all ops or none; results report OK, the error, then RUNTIMEINCONSISTENCY', () => {
    const h = new Harness();
    h.run(create('/m'));
    const bad = h.run({ kind: 'multi', ops: [
      { op: 'create', path: '/m/a', data: '' },
      { op: 'check', path: '/m', version: 5 },
      { op: 'setData', path: '/m', data: 'x', version: -1 },
    ] });
    expect(bad.err).toBe('BADVERSION');
    expect(bad.multi).toEqual([{ op: 'error', err: 'OK' }, { op: 'error', err: 'BADVERSION' }, { op: 'error', err: 'RUNTIMEINCONSISTENCY' }]);
    expect(h.tree.get('/m/a')).toBeUndefined();
    const good = h.run({ kind: 'multi', ops: [
      { op: 'check', path: '/m', version: 0 },
      { op: 'create', path: '/m/a', data: '1' },
      { op: 'setData', path: '/m', data: 'x', version: 0 },
    ] });
    expect(good.err).toBeNull();
    expect(h.tree.get('/m/a')!.data).toBe('1');
    expect(h.tree.get('/m')!.version).toBe(1);
  });
});

describe('ephemerals and sessions', () => {
  it('closeSession deletes the session\'s ephemerals, fires their watches and forgets the session', () => {
    const h = new Harness();
    h.run({ kind: 'createSession', timeoutMs: 6000 } as unknown as WriteOp, 0x42);
    h.run(create('/members'));
    h.run(create('/members/a', { ephemeral: true }), 0x42);
    h.run(create('/members/b', { ephemeral: true }), 0x43);
    expect(h.tree.sessions.get(0x42)).toBe(6000);
    h.events.length = 0;
    h.run({ kind: 'closeSession' }, 0x42);
    expect(h.tree.get('/members/a')).toBeUndefined();
    expect(h.tree.get('/members/b')).toBeDefined();
    expect(h.tree.sessions.has(0x42)).toBe(false);
    expect(h.events).toEqual(['NodeDeleted /members/a', 'NodeChildrenChanged /members']);
  });

  it('a create racing with closeSession of its session sees the node gone in the outstanding changes', () => {
    const h = new Harness();
    h.run(create('/e', { ephemeral: true }), 0x42);
    h.propose({ kind: 'closeSession' }, 0x42);
    expect(h.propose(create('/e'), 0x43).body.t).toBe('create');
  });
});

describe('the history digest', () => {
  it('is equal for equal histories and differs when any txn differs', () => {
    const a = new Harness();
    const b = new Harness();
    for (const h of [a, b]) {
      h.run(create('/a'));
      h.run({ kind: 'setData', path: '/a', data: 'x', version: -1 });
    }
    expect(a.tree.digest).toBe(b.tree.digest);
    a.run({ kind: 'setData', path: '/a', data: 'y', version: -1 });
    b.run({ kind: 'setData', path: '/a', data: 'z', version: -1 });
    expect(a.tree.digest).not.toBe(b.tree.digest);
  });
});
