// Turning a client request into a txn on the leader (PrepRequestProcessor.java). Validation runs
// against the state the tree will have once every outstanding proposal commits: ZooKeeper keeps
// ChangeRecords for paths touched by proposals in flight (outstandingChanges), so a create right
// after an uncommitted create of the same path already fails with NODEEXISTS, and sequential names
// count creates still in flight. A failed request becomes an error txn, ordered like any other.

import { isSpecialPath, sequentialName, validPath, type DataTree } from './datatree.ts';
import type { MultiOp, WriteOp, ZkErrorCode } from './messages.ts';
import type { TxnBody, TxnOp } from './txn.ts';
import type { Zxid } from './zxid.ts';

/** The future state of one path (ChangeRecord); `null` in the overlay means "deleted". */
interface ChangeRecord {
  readonly zxid: Zxid;
  readonly version: number;
  readonly cversion: number;
  readonly ephemeralOwner: number;
  readonly childCount: number;
}

type Rec = ChangeRecord | null;

class KeeperError {
  constructor(readonly code: ZkErrorCode) {}
}

export class Prep {
  private readonly overlay = new Map<string, Rec>();
  /** (zxid, path, record) in proposal order, to drop records once their txn commits. */
  private readonly order: { zxid: Zxid; path: string; rec: Rec }[] = [];

  constructor(private readonly tree: DataTree) {}

  /** Outstanding changes are dropped as their txns commit (FinalRequestProcessor). */
  committed(zxid: Zxid): void {
    let i = 0;
    while (i < this.order.length && this.order[i]!.zxid <= zxid) {
      const c = this.order[i]!;
      if (this.overlay.get(c.path) === c.rec) this.overlay.delete(c.path);
      i++;
    }
    if (i > 0) this.order.splice(0, i);
  }

  clear(): void {
    this.overlay.clear();
    this.order.length = 0;
  }

  get outstandingChanges(): number {
    return this.order.length;
  }

  private record(path: string): Rec {
    const o = this.overlay.get(path);
    if (o !== undefined) return o;
    const n = this.tree.get(path);
    if (n === undefined) return null;
    return { zxid: n.mzxid, version: n.version, cversion: n.cversion, ephemeralOwner: n.ephemeralOwner, childCount: n.children.size };
  }

  /** Reads through pending changes of the multi being prepared, then outstanding ones. */
  private view(changes: Map<string, Rec>, path: string): Rec {
    const c = changes.get(path);
    return c !== undefined ? c : this.record(path);
  }

  /** The txn body for a write request from `sessionId`, to be proposed as `zxid`. */
  prepare(op: WriteOp | { kind: 'createSession'; timeoutMs: number }, sessionId: number, zxid: Zxid): TxnBody {
    if (op.kind === 'createSession') return { t: 'createSession', timeoutMs: op.timeoutMs };
    if (op.kind === 'closeSession') return this.prepareClose(sessionId, zxid);
    const changes = new Map<string, Rec>();
    if (op.kind === 'multi') {
      const ops: TxnOp[] = [];
      let failed: ZkErrorCode | null = null;
      for (const m of op.ops) {
        if (failed !== null) {
          ops.push({ t: 'error', err: 'RUNTIMEINCONSISTENCY' });
          continue;
        }
        try {
          ops.push(this.prepareOne(toWrite(m), sessionId, zxid, changes));
        } catch (e) {
          if (!(e instanceof KeeperError)) throw e;
          failed = e.code;
          // Ops before the failure report OK, the failing one its error, later ones RUNTIMEINCONSISTENCY.
          for (let i = 0; i < ops.length; i++) ops[i] = { t: 'error', err: 'OK' };
          ops.push({ t: 'error', err: e.code });
        }
      }
      if (failed === null) this.commitChanges(changes, zxid);
      return { t: 'multi', ops };
    }
    try {
      const body = this.prepareOne(op, sessionId, zxid, changes);
      this.commitChanges(changes, zxid);
      return body;
    } catch (e) {
      if (!(e instanceof KeeperError)) throw e;
      return { t: 'error', err: e.code };
    }
  }

  private commitChanges(changes: Map<string, Rec>, zxid: Zxid): void {
    for (const [path, rec] of changes) {
      this.overlay.set(path, rec);
      this.order.push({ zxid, path, rec });
    }
  }

  private prepareOne(op: Exclude<WriteOp, { kind: 'multi' | 'closeSession' }> | { kind: 'check'; path: string; version: number }, sessionId: number, zxid: Zxid, changes: Map<string, Rec>): TxnOp {
    // The checks run in PrepRequestProcessor's order, so the first failing one names the error.
    switch (op.kind) {
      case 'create': {
        // validatePathForCreate: only "has a slash, no NUL" before the parent is looked up; the
        // full path check comes after the sequential suffix (so "/c/" + PERSISTENT_SEQUENTIAL is
        // the valid "/c/0000000000").
        const parentPath = parentForPrep(op.path);
        const parent = this.view(changes, parentPath);
        if (parent === null) throw new KeeperError('NONODE');
        const path = op.sequential ? sequentialName(op.path, parent.cversion) : op.path;
        if (!validPath(path)) throw new KeeperError('BADARGUMENTS');
        if (this.view(changes, path) !== null) throw new KeeperError('NODEEXISTS');
        if (parent.ephemeralOwner !== 0) throw new KeeperError('NOCHILDRENFOREPHEMERALS');
        const newCversion = parent.cversion + 1;
        const owner = op.ephemeral ? sessionId : 0;
        changes.set(parentPath, { ...parent, cversion: newCversion, childCount: parent.childCount + 1, zxid });
        changes.set(path, { zxid, version: 0, cversion: 0, ephemeralOwner: owner, childCount: 0 });
        return { t: 'create', path, data: op.data, ephemeralOwner: owner, parentCVersion: newCversion };
      }
      case 'delete': {
        // getParentPathAndValidate: special paths (/, /zookeeper and its children) are bad
        // arguments; there is no full path check, so "/x/" is simply a node that does not exist.
        if (isSpecialPath(op.path)) throw new KeeperError('BADARGUMENTS');
        const parentPath = parentForPrep(op.path);
        const parent = this.view(changes, parentPath);
        if (parent === null) throw new KeeperError('NONODE');
        const rec = this.view(changes, op.path);
        if (rec === null) throw new KeeperError('NONODE');
        if (op.version !== -1 && op.version !== rec.version) throw new KeeperError('BADVERSION');
        if (rec.childCount > 0) throw new KeeperError('NOTEMPTY');
        // The parent's record loses a child; its cversion counts creates only (DataTree.deleteNode).
        changes.set(parentPath, { ...parent, childCount: parent.childCount - 1, zxid });
        changes.set(op.path, null);
        return { t: 'delete', path: op.path };
      }
      case 'setData': {
        if (!validPath(op.path)) throw new KeeperError('BADARGUMENTS');
        const rec = this.view(changes, op.path);
        if (rec === null) throw new KeeperError('NONODE');
        if (op.version !== -1 && op.version !== rec.version) throw new KeeperError('BADVERSION');
        const version = rec.version + 1;
        changes.set(op.path, { ...rec, version, zxid });
        return { t: 'setData', path: op.path, data: op.data, version };
      }
      case 'check': {
        if (!validPath(op.path)) throw new KeeperError('BADARGUMENTS');
        const rec = this.view(changes, op.path);
        if (rec === null) throw new KeeperError('NONODE');
        if (op.version !== -1 && op.version !== rec.version) throw new KeeperError('BADVERSION');
        return { t: 'check', path: op.path, version: op.version };
      }
    }
  }

  /** closeSession: the session's ephemerals (committed and in flight) become deletions in the overlay. */
  private prepareClose(sessionId: number, zxid: Zxid): TxnBody {
    const paths = new Set(this.tree.ephemerals.get(sessionId) ?? []);
    for (const [path, rec] of this.overlay) {
      if (rec === null) paths.delete(path);
      else if (rec.ephemeralOwner === sessionId) paths.add(path);
    }
    const changes = new Map<string, Rec>();
    // PrepRequestProcessor (closeSession) records each ephemeral as deleted and touches only the
    // parent's pzxid: the parent's record keeps its child count until the txn commits.
    for (const p of [...paths].sort().reverse()) changes.set(p, null);
    this.commitChanges(changes, zxid);
    return { t: 'closeSession' };
  }
}

/**
 * The parent path as PrepRequestProcessor takes it (validatePathForCreate, getParentPathAndValidate):
 * everything before the last slash; no slash or a NUL is BADARGUMENTS.
 */
function parentForPrep(path: string): string {
  const lastSlash = path.lastIndexOf('/');
  if (lastSlash === -1 || path.includes('\0')) throw new KeeperError('BADARGUMENTS');
  return lastSlash === 0 ? '/' : path.slice(0, lastSlash);
}

function toWrite(m: MultiOp): Exclude<WriteOp, { kind: 'multi' | 'closeSession' }> | { kind: 'check'; path: string; version: number } {
  switch (m.op) {
    case 'check': return { kind: 'check', path: m.path, version: m.version };
    case 'create': return { kind: 'create', path: m.path, data: m.data, ephemeral: m.ephemeral === true, sequential: m.sequential === true };
    case 'delete': return { kind: 'delete', path: m.path, version: m.version };
    case 'setData': return { kind: 'setData', path: m.path, data: m.data, version: m.version };
  }
}
