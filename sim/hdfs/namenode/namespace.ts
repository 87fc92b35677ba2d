import { invariant } from '../../core/invariant.ts';
import type { HdfsExceptionName } from '../protocol.ts';
import type { Block, BlockId, BlockUCState, GenStamp, TxId } from '../types.ts';
import type { EditOp } from './edit-ops.ts';
import { hashInode } from './namespace-digest.ts';

// The NameNode's namespace (FSDirectory with INodeDirectory / INodeFile, and the id counters of
// FSNamesystem): an inode tree changed only by edit-log ops. The live NameNode validates a request
// (the check* functions: Hadoop's exceptions as values), builds the op(s), logs them and applies them
// with apply(); a restart applies the same ops from the edit log (FSEditLogLoader.applyEditLogOp), so
// what was acknowledged and what is replayed cannot differ.
//
// Ids follow Hadoop's reserved ranges: INodeId.ROOT_INODE_ID = 16385, GenerationStamp
// LAST_RESERVED_STAMP = 1000, SequentialBlockIdGenerator LAST_RESERVED_BLOCK_ID = 2^30.

export const ROOT_INODE_ID = 16385;
export const LAST_RESERVED_STAMP = 1000;
export const LAST_RESERVED_BLOCK_ID = 1024 * 1024 * 1024;

/** A block of a file (BlockInfo): the persisted Block plus its state at the NameNode. */
export interface BlockInfo {
  blockId: BlockId;
  genStamp: GenStamp;
  numBytes: number;
  state: BlockUCState;
}

/** FileUnderConstructionFeature: who holds the lease on a file being written. */
export interface UnderConstruction {
  clientName: string;
  clientMachine: string;
}

export interface INodeDirectory {
  readonly kind: 'dir';
  readonly id: number;
  name: string;
  parent: INodeDirectory | null;
  readonly children: Map<string, INode>;
  mtimeMs: number;
}

export interface INodeFile {
  readonly kind: 'file';
  readonly id: number;
  name: string;
  parent: INodeDirectory | null;
  replication: number;
  blockSize: number;
  blocks: BlockInfo[];
  mtimeMs: number;
  atimeMs: number;
  uc: UnderConstruction | null;
}

export type INode = INodeDirectory | INodeFile;

/** An exception the NameNode answers with (RemoteException's class and message). */
export interface HdfsError {
  readonly className: HdfsExceptionName;
  readonly message: string;
}

export function hdfsError(className: HdfsExceptionName, message: string): HdfsError {
  return { className, message };
}

export function isHdfsError(x: unknown): x is HdfsError {
  return typeof x === 'object' && x !== null && 'className' in x && 'message' in x;
}

/** Path components of an absolute path (DFSUtil.isValidName), or an InvalidPathException. */
export function pathComponents(path: string): string[] | HdfsError {
  if (!path.startsWith('/')) return hdfsError('InvalidPathException', `Invalid path name Path is not absolute: ${path}`);
  const parts = path.split('/').slice(1);
  if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  for (const p of parts) {
    if (p === '' || p === '.' || p === '..' || p.includes(':')) return hdfsError('InvalidPathException', `Invalid path name Invalid file name: ${path}`);
  }
  return parts;
}

export function normalizePath(path: string): string | HdfsError {
  const c = pathComponents(path);
  return isHdfsError(c) ? c : '/' + c.join('/');
}

export function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

export class Namespace {
  readonly root: INodeDirectory = { kind: 'dir', id: ROOT_INODE_ID, name: '', parent: null, children: new Map(), mtimeMs: 0 };
  lastInodeId = ROOT_INODE_ID;
  genStamp = LAST_RESERVED_STAMP as GenStamp;
  lastBlockId = LAST_RESERVED_BLOCK_ID as BlockId;
  /** The txid of the last op applied (FSImage.lastAppliedTxId). */
  lastAppliedTxId = 0 as TxId;
  private readonly inodes = new Map<number, INode>();
  /** Order-independent digest: the sum (two 32-bit lanes) of every inode's hash. */
  private sumA = 0;
  private sumB = 0;
  private readonly hashes = new Map<number, [number, number]>();

  constructor() {
    this.inodes.set(ROOT_INODE_ID, this.root);
    this.rehash(this.root);
  }

  // ------------------------------------------------------------ lookup

  resolve(path: string): INode | null {
    const c = pathComponents(path);
    if (isHdfsError(c)) return null;
    let cur: INode = this.root;
    for (const name of c) {
      if (cur.kind !== 'dir') return null;
      const next: INode | undefined = cur.children.get(name);
      if (next === undefined) return null;
      cur = next;
    }
    return cur;
  }

  inode(id: number): INode | undefined {
    return this.inodes.get(id);
  }

  pathOf(n: INode): string {
    const parts: string[] = [];
    for (let cur: INode | null = n; cur !== null && cur.parent !== null; cur = cur.parent) parts.push(cur.name);
    return '/' + parts.reverse().join('/');
  }

  /** Files under construction (for the lease manager, FSNamesystem.getFilesUnderConstruction). */
  filesUnderConstruction(): INodeFile[] {
    const out: INodeFile[] = [];
    for (const n of this.inodes.values()) if (n.kind === 'file' && n.uc !== null) out.push(n);
    return out.sort((a, b) => a.id - b.id);
  }

  get inodeCount(): number {
    return this.inodes.size;
  }

  /** Every inode in pre-order, children by name (the fsimage order). */
  *walk(dir: INodeDirectory = this.root): Generator<INode> {
    yield dir;
    for (const name of [...dir.children.keys()].sort()) {
      const c = dir.children.get(name)!;
      if (c.kind === 'dir') yield* this.walk(c);
      else yield c;
    }
  }

  /**
   * Digest of the namespace: every inode (id, parent, name, attributes, blocks with id, GS and
   * length, lease holder) and the id counters. Equal namespaces have equal digests, whatever order
   * the ops came in.
   */
  digest(): string {
    const a = (this.sumA ^ Math.imul(this.lastInodeId, 0x9e3779b1) ^ Math.imul(this.genStamp, 0x85ebca6b)) >>> 0;
    const b = (this.sumB + Math.imul(this.lastBlockId % 0x7fffffff, 0xc2b2ae35) + this.inodes.size) >>> 0;
    return a.toString(16).padStart(8, '0') + b.toString(16).padStart(8, '0');
  }

  private rehash(n: INode): void {
    const old = this.hashes.get(n.id);
    if (old !== undefined) {
      this.sumA = (this.sumA - old[0]) | 0;
      this.sumB = (this.sumB - old[1]) | 0;
    }
    const h = hashInode(n);
    this.hashes.set(n.id, h);
    this.sumA = (this.sumA + h[0]) | 0;
    this.sumB = (this.sumB + h[1]) | 0;
  }

  private unhash(n: INode): void {
    const old = this.hashes.get(n.id);
    invariant(old !== undefined, () => `namespace: inode ${n.id} has no hash`);
    this.sumA = (this.sumA - old[0]) | 0;
    this.sumB = (this.sumB - old[1]) | 0;
    this.hashes.delete(n.id);
  }

  // ------------------------------------------------------------ apply (FSEditLogLoader.applyEditLogOp)

  /** Applies one op. An op that does not fit the namespace is a broken invariant (a corrupt log or a bug). */
  apply(op: EditOp): void {
    invariant(op.txid === this.lastAppliedTxId + 1,
      () => `namespace: op txid ${op.txid} does not follow ${this.lastAppliedTxId}`);
    this.lastAppliedTxId = op.txid;
    switch (op.op) {
      case 'OP_START_LOG_SEGMENT':
      case 'OP_END_LOG_SEGMENT':
        return;
      case 'OP_MKDIR': {
        const parent = this.parentDir(op.path, op);
        const name = lastName(op.path);
        invariant(!parent.children.has(name), () => `OP_MKDIR txid ${op.txid}: ${op.path} exists`);
        const d: INodeDirectory = { kind: 'dir', id: op.inodeId, name, parent, children: new Map(), mtimeMs: op.mtimeMs };
        this.addChild(parent, d, op.mtimeMs);
        return;
      }
      case 'OP_ADD': {
        const parent = this.parentDir(op.path, op);
        const name = lastName(op.path);
        const existing = parent.children.get(name);
        if (existing !== undefined) {
          invariant(op.overwrite && existing.kind === 'file', () => `OP_ADD txid ${op.txid}: ${op.path} exists`);
          this.removeSubtree(existing, op.mtimeMs);
        }
        const f: INodeFile = {
          kind: 'file', id: op.inodeId, name, parent, replication: op.replication, blockSize: op.blockSize,
          blocks: [], mtimeMs: op.mtimeMs, atimeMs: op.mtimeMs, uc: { clientName: op.clientName, clientMachine: op.clientMachine },
        };
        this.setBlocks(f, op.blocks, true);
        this.addChild(parent, f, op.mtimeMs);
        return;
      }
      case 'OP_CLOSE': {
        const f = this.fileAt(op.path, op);
        f.replication = op.replication;
        f.mtimeMs = op.mtimeMs;
        f.atimeMs = op.mtimeMs;
        f.uc = null;
        this.setBlocks(f, op.blocks, false);
        this.rehash(f);
        return;
      }
      case 'OP_ADD_BLOCK': {
        const f = this.fileAt(op.path, op);
        invariant(f.uc !== null, () => `OP_ADD_BLOCK txid ${op.txid}: ${op.path} is not under construction`);
        const prev = f.blocks[f.blocks.length - 1];
        if (op.penultimate === null) invariant(prev === undefined, () => `OP_ADD_BLOCK txid ${op.txid}: no penultimate, but ${op.path} has blocks`);
        else {
          invariant(prev !== undefined && prev.blockId === op.penultimate.blockId, () => `OP_ADD_BLOCK txid ${op.txid}: penultimate ${op.penultimate?.blockId} is not the last block of ${op.path}`);
          // FSEditLogLoader.addNewBlock: the previous last block takes the length the client reported and is complete.
          prev.numBytes = op.penultimate.numBytes;
          prev.genStamp = op.penultimate.genStamp;
          prev.state = 'COMPLETE';
        }
        f.blocks.push({ ...op.last, state: 'UNDER_CONSTRUCTION' });
        this.rehash(f);
        return;
      }
      case 'OP_UPDATE_BLOCKS': {
        const f = this.fileAt(op.path, op);
        this.setBlocks(f, op.blocks, f.uc !== null);
        this.rehash(f);
        return;
      }
      case 'OP_DELETE': {
        const n = this.resolve(op.path);
        invariant(n !== null && n.parent !== null, () => `OP_DELETE txid ${op.txid}: ${op.path} does not exist`);
        const parent = n.parent;
        this.removeSubtree(n, op.mtimeMs);
        parent.mtimeMs = op.mtimeMs;
        this.rehash(parent);
        return;
      }
      case 'OP_RENAME_OLD': {
        const n = this.resolve(op.src);
        invariant(n !== null && n.parent !== null, () => `OP_RENAME_OLD txid ${op.txid}: ${op.src} does not exist`);
        const dstParent = this.parentDir(op.dst, op);
        const name = lastName(op.dst);
        invariant(!dstParent.children.has(name), () => `OP_RENAME_OLD txid ${op.txid}: ${op.dst} exists`);
        const srcParent = n.parent;
        srcParent.children.delete(n.name);
        srcParent.mtimeMs = op.mtimeMs;
        this.rehash(srcParent);
        n.name = name;
        n.parent = dstParent;
        dstParent.children.set(name, n);
        dstParent.mtimeMs = op.mtimeMs;
        this.rehash(dstParent);
        this.rehash(n);
        return;
      }
      case 'OP_SET_REPLICATION': {
        const f = this.fileAt(op.path, op);
        f.replication = op.replication;
        this.rehash(f);
        return;
      }
      case 'OP_TIMES': {
        const n = this.resolve(op.path);
        invariant(n !== null, () => `OP_TIMES txid ${op.txid}: ${op.path} does not exist`);
        n.mtimeMs = op.mtimeMs;
        if (n.kind === 'file') n.atimeMs = op.atimeMs;
        this.rehash(n);
        return;
      }
      case 'OP_SET_GENSTAMP_V2':
        invariant(op.genStamp > this.genStamp, () => `OP_SET_GENSTAMP_V2 txid ${op.txid}: ${op.genStamp} does not exceed ${this.genStamp}`);
        this.genStamp = op.genStamp;
        return;
      case 'OP_ALLOCATE_BLOCK_ID':
        invariant(op.blockId > this.lastBlockId, () => `OP_ALLOCATE_BLOCK_ID txid ${op.txid}: ${op.blockId} does not exceed ${this.lastBlockId}`);
        this.lastBlockId = op.blockId;
        return;
      case 'OP_REASSIGN_LEASE': {
        const f = this.fileAt(op.path, op);
        invariant(f.uc !== null && f.uc.clientName === op.leaseHolder, () => `OP_REASSIGN_LEASE txid ${op.txid}: ${op.path} is not held by ${op.leaseHolder}`);
        f.uc = { clientName: op.newHolder, clientMachine: f.uc.clientMachine };
        this.rehash(f);
        return;
      }
    }
  }

  /** The block states a restart cannot know are set by the block manager (COMMITTED, UNDER_RECOVERY); not logged. */
  setBlockState(f: INodeFile, blockId: BlockId, state: BlockUCState): void {
    const b = f.blocks.find((x) => x.blockId === blockId);
    invariant(b !== undefined, () => `setBlockState: ${this.pathOf(f)} has no block ${blockId}`);
    b.state = state;
  }

  private setBlocks(f: INodeFile, blocks: readonly Block[], underConstruction: boolean): void {
    // FSEditLogLoader.updateBlocks: existing blocks take the new GS and length; a shorter list drops
    // the tail (abandonBlock); the last block of a file under construction stays under construction.
    f.blocks = blocks.map((b, i) => ({
      blockId: b.blockId, genStamp: b.genStamp, numBytes: b.numBytes,
      state: underConstruction && i === blocks.length - 1 ? (f.blocks[i]?.blockId === b.blockId && f.blocks[i]!.state !== 'COMPLETE' ? f.blocks[i]!.state : 'UNDER_CONSTRUCTION') : 'COMPLETE',
    }));
  }

  private addChild(parent: INodeDirectory, n: INode, mtimeMs: number): void {
    invariant(!this.inodes.has(n.id), () => `namespace: inode id ${n.id} is in use`);
    invariant(n.id > ROOT_INODE_ID, () => `namespace: inode id ${n.id} is reserved`);
    parent.children.set(n.name, n);
    parent.mtimeMs = mtimeMs;
    this.inodes.set(n.id, n);
    if (n.id > this.lastInodeId) this.lastInodeId = n.id;
    this.rehash(parent);
    this.rehash(n);
  }

  private removeSubtree(n: INode, mtimeMs: number): void {
    const parent = n.parent;
    invariant(parent !== null, 'namespace: cannot remove the root');
    parent.children.delete(n.name);
    parent.mtimeMs = mtimeMs;
    this.rehash(parent);
    const drop = (x: INode): void => {
      if (x.kind === 'dir') for (const c of x.children.values()) drop(c);
      this.inodes.delete(x.id);
      this.unhash(x);
    };
    drop(n);
    n.parent = null;
  }

  private parentDir(path: string, op: EditOp): INodeDirectory {
    const p = this.resolve(parentOf(path));
    invariant(p !== null && p.kind === 'dir', () => `${op.op} txid ${op.txid}: parent of ${path} is not a directory`);
    return p;
  }

  private fileAt(path: string, op: EditOp): INodeFile {
    const f = this.resolve(path);
    invariant(f !== null && f.kind === 'file', () => `${op.op} txid ${op.txid}: ${path} is not a file`);
    return f;
  }

  /** Blocks of a subtree (what a delete removes from the blocks map). */
  blocksUnder(n: INode): BlockInfo[] {
    if (n.kind === 'file') return [...n.blocks];
    const out: BlockInfo[] = [];
    for (const c of n.children.values()) out.push(...this.blocksUnder(c));
    return out;
  }

  /** Files under construction in a subtree (their leases go with a delete). */
  ucFilesUnder(n: INode): INodeFile[] {
    if (n.kind === 'file') return n.uc !== null ? [n] : [];
    const out: INodeFile[] = [];
    for (const c of n.children.values()) out.push(...this.ucFilesUnder(c));
    return out;
  }

  /** Restores the id counters (fsimage load). */
  setCounters(c: { lastInodeId: number; genStamp: GenStamp; lastBlockId: BlockId; lastAppliedTxId: TxId }): void {
    this.lastInodeId = c.lastInodeId;
    this.genStamp = c.genStamp;
    this.lastBlockId = c.lastBlockId;
    this.lastAppliedTxId = c.lastAppliedTxId;
  }

  /** Adds an inode read from an fsimage (parents come first in pre-order). */
  loadInode(parentId: number | null, n: INode): void {
    if (parentId === null) {
      invariant(n.kind === 'dir' && n.id === ROOT_INODE_ID, 'fsimage: the first inode is the root');
      this.root.mtimeMs = n.mtimeMs;
      this.rehash(this.root);
      return;
    }
    const parent = this.inodes.get(parentId);
    invariant(parent !== undefined && parent.kind === 'dir', () => `fsimage: parent ${parentId} of inode ${n.id} is not a loaded directory`);
    n.parent = parent;
    parent.children.set(n.name, n);
    this.inodes.set(n.id, n);
    this.rehash(n);
    this.rehash(parent);
  }
}

function lastName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
