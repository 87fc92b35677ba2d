// The data tree (DataTree.java) plus the session table ZKDatabase keeps beside it: znodes with
// their Stat, ephemeral ownership, and the deterministic application of committed txns. Every peer
// applies the same txns in the same order and must end in the same state; `digest` chains the txns
// applied so far into one number (ZooKeeper 3.6's digest serves the same end) so replicas can be
// compared without walking their trees.
//
// Watches live outside the tree: apply() reports what changed to a WatchSink (the server's watch
// manager), which notifies the clients connected to that server.

import { invariant } from '../core/invariant.ts';
import { chainHash } from './bytes.ts';
import type { MultiResult, Stat, WatchEventType, ZkErrorCode } from './messages.ts';
import type { Txn, TxnOp } from './txn.ts';
import type { Zxid } from './zxid.ts';

export class ZNode {
  data: string;
  czxid: Zxid;
  mzxid: Zxid;
  pzxid: Zxid;
  ctime: number;
  mtime: number;
  version = 0;
  cversion = 0;
  ephemeralOwner: number;
  readonly children = new Set<string>();

  constructor(data: string, zxid: Zxid, timeMs: number, ephemeralOwner: number) {
    this.data = data;
    this.czxid = zxid;
    this.mzxid = zxid;
    this.pzxid = zxid;
    this.ctime = timeMs;
    this.mtime = timeMs;
    this.ephemeralOwner = ephemeralOwner;
  }

  /**
   * The client's Stat (DataNode.copyStat). The stored cversion counts creates of children only
   * (DataTree.deleteNode moves pzxid, not cversion); the client sees the count of changes, which
   * is every create plus a delete for each child no longer present: 2 x cversion - numChildren.
   * So the root, whose /zookeeper child was never created by a txn, shows cversion -1.
   */
  stat(): Stat {
    const numChildren = this.children.size;
    return {
      czxid: this.czxid, mzxid: this.mzxid, pzxid: this.pzxid, ctime: this.ctime, mtime: this.mtime,
      version: this.version, cversion: this.cversion * 2 - numChildren, ephemeralOwner: this.ephemeralOwner,
      dataLength: utf8Length(this.data), numChildren,
    };
  }
}

export interface WatchSink {
  trigger(path: string, event: WatchEventType, zxid: Zxid): void;
}

/** The outcome of applying a txn, for the reply to the client that issued it. */
export type ApplyResult =
  | { readonly err: ZkErrorCode | null; readonly path?: string; readonly stat?: Stat; readonly multi?: readonly MultiResult[] };

export function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

export function nameOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** PathUtils.validatePath in short: absolute, no empty segments, no trailing slash (except "/"). */
export function validPath(path: string): boolean {
  if (path === '/') return true;
  const n = path.length;
  if (n === 0 || path.charCodeAt(0) !== 0x2f || path.charCodeAt(n - 1) === 0x2f) return false;
  let segStart = 1;
  for (let i = 1; i <= n; i++) {
    const c = i < n ? path.charCodeAt(i) : 0x2f;
    if (c === 0) return false;
    if (c !== 0x2f) continue;
    const len = i - segStart;
    if (len === 0) return false;
    if (len <= 2 && path.charCodeAt(segStart) === 0x2e && (len === 1 || path.charCodeAt(segStart + 1) === 0x2e)) return false;
    segStart = i + 1;
  }
  return true;
}

/** The nodes a tree always has (DataTree: procZookeeper, quotaZookeeper, configZookeeper), parents first. */
export const SYSTEM_NODES: readonly string[] = ['/zookeeper', '/zookeeper/quota', '/zookeeper/config'];

/** DataTree.isSpecialPath: these can be neither deleted nor replaced (BADARGUMENTS). */
export function isSpecialPath(path: string): boolean {
  return path === '/' || SYSTEM_NODES.includes(path);
}

/** Bytes of a string in UTF-8 (znode data is a byte array in ZooKeeper; dsim keeps it as text). */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** The name of a sequential znode: the parent's stored cversion as 10 digits (PrepRequestProcessor). */
export function sequentialName(path: string, parentCVersion: number): string {
  return path + String(parentCVersion).padStart(10, '0');
}

export class DataTree {
  readonly nodes = new Map<string, ZNode>();
  /** Session id -> paths of its ephemeral nodes (DataTree.ephemerals). */
  readonly ephemerals = new Map<number, Set<string>>();
  /** Session id -> timeout in ms (ZKDatabase.sessionsWithTimeouts): persisted in snapshots. */
  readonly sessions = new Map<number, number>();
  lastZxid: Zxid = 0;
  /** Chained digest of every txn applied, in order (see bytes.ts chainHash). */
  digest = 0;
  /** Bumped on every change: lets views be cached. */
  changes = 0;

  constructor() {
    this.addSystemNodes();
  }

  /**
   * The nodes every tree starts with (DataTree's constructor): /zookeeper with its children quota
   * and config. They are added directly, not by txns, so their parents' stored cversion stays 0.
   */
  private addSystemNodes(): void {
    this.nodes.set('/', new ZNode('', 0, 0, 0));
    for (const path of SYSTEM_NODES) {
      this.nodes.set(path, new ZNode('', 0, 0, 0));
      this.nodes.get(parentOf(path))!.children.add(nameOf(path));
    }
  }

  get nodeCount(): number {
    return this.nodes.size;
  }

  get(path: string): ZNode | undefined {
    return this.nodes.get(path);
  }

  /**
   * Applies a committed txn. `txnDigest` is the digest of its bytes (txn.ts txnDigest). Txns at or
   * below lastZxid are skipped (replaying a log over a snapshot may revisit them).
   */
  apply(txn: Txn, txnDigest: number, sink: WatchSink | null): ApplyResult {
    invariant(txn.zxid > this.lastZxid, () => `DataTree.apply: txn 0x${txn.zxid.toString(16)} is not after 0x${this.lastZxid.toString(16)}`);
    this.lastZxid = txn.zxid;
    this.digest = chainHash(this.digest, txn.zxid, txnDigest);
    this.changes++;
    const b = txn.body;
    switch (b.t) {
      case 'createSession':
        this.sessions.set(txn.sessionId, b.timeoutMs);
        return { err: null };
      case 'closeSession':
        this.killSession(txn.sessionId, txn.zxid, sink);
        return { err: null };
      case 'multi': {
        if (b.ops.some((o) => o.t === 'error')) {
          return { err: firstError(b.ops), multi: b.ops.map((o) => ({ op: 'error', err: o.t === 'error' ? o.err : 'OK' }) as MultiResult) };
        }
        const results: MultiResult[] = [];
        for (const o of b.ops) {
          const r = this.applyOp(o, txn, sink);
          invariant(r.err === null, () => `multi op ${o.t} failed at apply time (${r.err}) though the leader validated it`);
          results.push(o.t === 'create' ? { op: 'create', path: o.path } : o.t === 'setData' ? { op: 'setData', stat: r.stat! } : { op: o.t as 'check' | 'delete' });
        }
        return { err: null, multi: results };
      }
      default:
        return this.applyOp(b, txn, sink);
    }
  }

  private applyOp(o: TxnOp, txn: Txn, sink: WatchSink | null): ApplyResult {
    switch (o.t) {
      case 'create': return this.createNode(o.path, o.data, o.ephemeralOwner, o.parentCVersion, txn.zxid, txn.timeMs, sink);
      case 'delete': return this.deleteNode(o.path, txn.zxid, sink);
      case 'setData': {
        const n = this.nodes.get(o.path);
        if (n === undefined) return { err: 'NONODE' };
        n.data = o.data;
        n.version = o.version;
        n.mzxid = txn.zxid;
        n.mtime = txn.timeMs;
        sink?.trigger(o.path, 'NodeDataChanged', txn.zxid);
        return { err: null, stat: n.stat() };
      }
      case 'check':
        return { err: this.nodes.has(o.path) ? null : 'NONODE' };
      case 'error':
        return { err: o.err === 'OK' ? null : o.err };
    }
  }

  private createNode(path: string, data: string, owner: number, parentCVersion: number, zxid: Zxid, timeMs: number, sink: WatchSink | null): ApplyResult {
    const parentPath = parentOf(path);
    const parent = this.nodes.get(parentPath);
    if (parent === undefined) return { err: 'NONODE' };
    if (this.nodes.has(path)) return { err: 'NODEEXISTS' };
    const node = new ZNode(data, zxid, timeMs, owner);
    this.nodes.set(path, node);
    parent.children.add(nameOf(path));
    // DataTree.createNode: the txn carries the parent's new cversion.
    const cv = parentCVersion === -1 ? parent.cversion + 1 : parentCVersion;
    if (cv > parent.cversion) {
      parent.cversion = cv;
      parent.pzxid = zxid;
    }
    if (owner !== 0) {
      let set = this.ephemerals.get(owner);
      if (set === undefined) this.ephemerals.set(owner, (set = new Set()));
      set.add(path);
    }
    sink?.trigger(path, 'NodeCreated', zxid);
    sink?.trigger(parentPath, 'NodeChildrenChanged', zxid);
    return { err: null, path, stat: node.stat() };
  }

  private deleteNode(path: string, zxid: Zxid, sink: WatchSink | null): ApplyResult {
    const node = this.nodes.get(path);
    if (node === undefined) return { err: 'NONODE' };
    if (node.children.size > 0) return { err: 'NOTEMPTY' };
    const parentPath = parentOf(path);
    const parent = this.nodes.get(parentPath)!;
    this.nodes.delete(path);
    parent.children.delete(nameOf(path));
    // DataTree.deleteNode: only pzxid moves (and only forward); the stored cversion counts creates.
    if (zxid > parent.pzxid) parent.pzxid = zxid;
    if (node.ephemeralOwner !== 0) {
      const set = this.ephemerals.get(node.ephemeralOwner);
      set?.delete(path);
      if (set !== undefined && set.size === 0) this.ephemerals.delete(node.ephemeralOwner);
    }
    sink?.trigger(path, 'NodeDeleted', zxid);
    sink?.trigger(parentPath, 'NodeChildrenChanged', zxid);
    return { err: null };
  }

  /** closeSession: the session's ephemeral nodes go, in path order so every peer fires the same watches. */
  private killSession(sessionId: number, zxid: Zxid, sink: WatchSink | null): void {
    this.sessions.delete(sessionId);
    const set = this.ephemerals.get(sessionId);
    if (set === undefined) return;
    for (const p of [...set].sort().reverse()) this.deleteNode(p, zxid, sink);
    this.ephemerals.delete(sessionId);
  }

  /** Children names of a node, sorted (ZooKeeper returns them unordered; sorting keeps runs deterministic). */
  children(path: string): string[] | null {
    const n = this.nodes.get(path);
    return n === undefined ? null : [...n.children].sort();
  }

  /** Every path in preorder (parents before children), children sorted. */
  paths(): string[] {
    const out: string[] = [];
    const walk = (p: string): void => {
      out.push(p);
      const n = this.nodes.get(p)!;
      for (const c of [...n.children].sort()) walk(p === '/' ? `/${c}` : `${p}/${c}`);
    };
    walk('/');
    return out;
  }

  /** Drops everything (before loading a snapshot). */
  clear(): void {
    this.nodes.clear();
    this.ephemerals.clear();
    this.sessions.clear();
    this.lastZxid = 0;
    this.digest = 0;
    this.changes++;
  }

  /** Inserts a node while loading a snapshot (parents first). */
  loadNode(path: string, node: ZNode): void {
    this.nodes.set(path, node);
    if (path !== '/') {
      const parent = this.nodes.get(parentOf(path));
      invariant(parent !== undefined, () => `snapshot: ${path} comes before its parent`);
      parent.children.add(nameOf(path));
    }
    if (node.ephemeralOwner !== 0) {
      let set = this.ephemerals.get(node.ephemeralOwner);
      if (set === undefined) this.ephemerals.set(node.ephemeralOwner, (set = new Set()));
      set.add(path);
    }
  }
}

function firstError(ops: readonly TxnOp[]): ZkErrorCode {
  for (const o of ops) if (o.t === 'error' && o.err !== 'OK' && o.err !== 'RUNTIMEINCONSISTENCY') return o.err;
  return 'RUNTIMEINCONSISTENCY';
}
