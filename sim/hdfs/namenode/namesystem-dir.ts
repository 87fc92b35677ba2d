import { invariant } from '../../core/invariant.ts';
import type { TxId } from '../types.ts';
import { checkSafeMode, fileStatus, toBlock, type Answer, type FsContext } from './fs-context.ts';
import { hdfsError, isHdfsError, parentOf, pathComponents, type HdfsError, type INodeDirectory } from './namespace.ts';
import type {
  DeleteRequest, GetBlockLocationsRequest, GetFileInfoRequest, GetListingRequest, LocatedBlock, MkdirsRequest, RenameRequest,
  SetReplicationRequest,
} from '../protocol.ts';

// Namespace operations of FSNamesystem that are not about writing a file: mkdirs (FSDirMkdirOp),
// delete (FSDirDeleteOp), rename (FSDirRenameOp's old rename), setReplication (FSDirAttrOp),
// getFileInfo / getListing (FSDirStatAndListingOp), getBlockLocations.

/**
 * FSDirMkdirOp: creates the missing directories of `path` (one OP_MKDIR each, as Hadoop logs them).
 * Returns the last txid logged (null when the directory exists), or an error.
 */
export function mkdirsInternal(fs: FsContext, path: string, createParent: boolean): TxId | null | HdfsError {
  const comps = pathComponents(path);
  if (isHdfsError(comps)) return comps;
  let cur: INodeDirectory = fs.ns.root;
  let i = 0;
  for (; i < comps.length; i++) {
    const next = cur.children.get(comps[i]!);
    if (next === undefined) break;
    if (next.kind === 'file') {
      const at = '/' + comps.slice(0, i + 1).join('/');
      return i === comps.length - 1
        ? hdfsError('FileAlreadyExistsException', `Path is not a directory: ${at}`)
        : hdfsError('ParentNotDirectoryException', `Parent path is not a directory: ${at}`);
    }
    cur = next;
  }
  if (i === comps.length) return null;
  if (!createParent && i < comps.length - 1) {
    return hdfsError('FileNotFoundException', `Parent directory doesn't exist: ${'/' + comps.slice(0, i + 1).join('/')}`);
  }
  let txid: TxId | null = null;
  for (; i < comps.length; i++) {
    const p = '/' + comps.slice(0, i + 1).join('/');
    txid = fs.log.logEdit({ op: 'OP_MKDIR', inodeId: fs.ns.lastInodeId + 1, path: p, mtimeMs: fs.nowMs() }).txid;
  }
  return txid;
}

export function mkdirs(fs: FsContext, req: MkdirsRequest): Answer {
  const sm = checkSafeMode(fs, `create directory ${req.src}`);
  if (sm !== null) return { err: sm };
  const txid = mkdirsInternal(fs, req.src, req.createParent);
  if (isHdfsError(txid)) return { err: txid };
  return { ok: { type: 'mkdirsResponse', result: true }, txid, what: `mkdirs ${req.src}` };
}

export function deletePath(fs: FsContext, req: DeleteRequest): Answer {
  const sm = checkSafeMode(fs, `delete ${req.src}`);
  if (sm !== null) return { err: sm };
  const n = fs.ns.resolve(req.src);
  // FSDirDeleteOp.deleteAllowed: a missing path or the root is not deleted.
  if (n === null || n.parent === null) return { ok: { type: 'deleteResponse', result: false }, txid: null };
  if (n.kind === 'dir' && n.children.size > 0 && !req.recursive) {
    return { err: hdfsError('PathIsNotEmptyDirectoryException', `\`${req.src} is non empty': Directory is not empty`) };
  }
  const blocks = fs.ns.blocksUnder(n);
  const uc = fs.ns.ucFilesUnder(n);
  const path = fs.ns.pathOf(n);
  const op = fs.log.logEdit({ op: 'OP_DELETE', path, mtimeMs: fs.nowMs() });
  // FSNamesystem.removeBlocks / removeLeasesAndINodes: after the namespace change.
  for (const b of blocks) fs.bm.removeBlock(b.blockId);
  for (const f of uc) fs.leases.removeLease(f.uc!.clientName, f.id);
  return { ok: { type: 'deleteResponse', result: true }, txid: op.txid, what: `delete ${path}` };
}

/** The old rename (ClientProtocol.rename, FSDirRenameOp.renameToInt): false rather than an exception for most refusals. */
export function rename(fs: FsContext, req: RenameRequest): Answer {
  const sm = checkSafeMode(fs, `rename ${req.src}`);
  if (sm !== null) return { err: sm };
  const no: Answer = { ok: { type: 'renameResponse', result: false }, txid: null };
  const srcComps = pathComponents(req.src);
  const dstComps = pathComponents(req.dst);
  if (isHdfsError(srcComps)) return { err: srcComps };
  if (isHdfsError(dstComps)) return { err: dstComps };
  const n = fs.ns.resolve(req.src);
  if (n === null || n.parent === null) return no;
  let dst = '/' + dstComps.join('/');
  const dstNode = fs.ns.resolve(dst);
  // A rename onto an existing directory moves the source into it.
  if (dstNode !== null && dstNode.kind === 'dir') dst = dst === '/' ? `/${n.name}` : `${dst}/${n.name}`;
  const src = fs.ns.pathOf(n);
  if (dst === src) return { ok: { type: 'renameResponse', result: true }, txid: null };
  if (dst.startsWith(src + '/')) {
    return { err: hdfsError('IOException', `Rename destination ${dst} is a directory or file under source ${src}`) };
  }
  if (fs.ns.resolve(dst) !== null) return no;
  const parent = fs.ns.resolve(parentOf(dst));
  if (parent === null || parent.kind !== 'dir') return no;
  const op = fs.log.logEdit({ op: 'OP_RENAME_OLD', src, dst, mtimeMs: fs.nowMs() });
  invariant(fs.ns.resolve(dst) === n, () => `rename: ${dst} does not resolve to the moved inode`);
  return { ok: { type: 'renameResponse', result: true }, txid: op.txid, what: `rename ${src} -> ${dst}` };
}

/** BlockManager.verifyReplication's wording. */
export function verifyReplication(fs: FsContext, src: string, replication: number): HdfsError | null {
  const min = 1;
  if (replication < min) return hdfsError('IOException', `Requested replication factor of ${replication} is less than the required minimum of ${min} for ${src}`);
  if (replication > fs.settings.replicationMax) {
    return hdfsError('IOException', `Requested replication factor of ${replication} exceeds maximum of ${fs.settings.replicationMax} for ${src}`);
  }
  return null;
}

export function setReplication(fs: FsContext, req: SetReplicationRequest): Answer {
  const sm = checkSafeMode(fs, `set replication for ${req.src}`);
  if (sm !== null) return { err: sm };
  const bad = verifyReplication(fs, req.src, req.replication);
  if (bad !== null) return { err: bad };
  const n = fs.ns.resolve(req.src);
  if (n === null || n.kind !== 'file') return { ok: { type: 'setReplicationResponse', result: false }, txid: null };
  const op = fs.log.logEdit({ op: 'OP_SET_REPLICATION', path: fs.ns.pathOf(n), replication: req.replication });
  for (const b of n.blocks) fs.bm.setReplication(b.blockId, req.replication);
  return { ok: { type: 'setReplicationResponse', result: true }, txid: op.txid, what: `setReplication ${req.src} ${req.replication}` };
}

export function getFileInfo(fs: FsContext, req: GetFileInfoRequest): Answer {
  const c = pathComponents(req.src);
  if (isHdfsError(c)) return { err: c };
  const n = fs.ns.resolve(req.src);
  return { ok: { type: 'getFileInfoResponse', status: n === null ? null : fileStatus(fs, n) }, txid: null };
}

export function getListing(fs: FsContext, req: GetListingRequest): Answer {
  const n = fs.ns.resolve(req.src);
  if (n === null) return { ok: { type: 'getListingResponse', entries: null }, txid: null };
  const entries = n.kind === 'file' ? [fileStatus(fs, n)] : [...n.children.keys()].sort().map((k) => fileStatus(fs, n.children.get(k)!));
  return { ok: { type: 'getListingResponse', entries }, txid: null };
}

/** FSNamesystem.getBlockLocations: the blocks overlapping [offset, offset + length), with replicas sorted for the reader. */
export function getBlockLocations(fs: FsContext, req: GetBlockLocationsRequest): Answer {
  const n = fs.ns.resolve(req.src);
  if (n === null) return { err: hdfsError('FileNotFoundException', `File does not exist: ${req.src}`) };
  if (n.kind !== 'file') return { err: hdfsError('FileNotFoundException', `Path is not a file: ${req.src}`) };
  const blocks: LocatedBlock[] = [];
  let offset = 0;
  let lastLocated: LocatedBlock | null = null;
  const end = req.offset + req.length;
  n.blocks.forEach((b, i) => {
    const lb = fs.bm.locatedBlock(toBlock(b), offset, req.clientMachine);
    if (i === n.blocks.length - 1) lastLocated = lb;
    if (offset + b.numBytes > req.offset && offset < end) blocks.push(lb);
    else if (b.numBytes === 0 && offset >= req.offset && offset <= end && i === n.blocks.length - 1) blocks.push(lb);
    offset += b.numBytes;
  });
  const last = n.blocks[n.blocks.length - 1];
  return {
    ok: {
      type: 'getBlockLocationsResponse',
      located: {
        fileLength: offset,
        underConstruction: n.uc !== null,
        blocks,
        lastLocatedBlock: lastLocated,
        isLastBlockComplete: last === undefined || last.state === 'COMPLETE',
      },
    },
    txid: null,
  };
}
