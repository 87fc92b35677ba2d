import { invariant } from '../../core/invariant.ts';
import type {
  AbandonBlockRequest, AddBlockRequest, CompleteRequest, CreateRequest, DatanodeLocation, FsyncRequest, GetAdditionalDatanodeRequest,
  LocatedBlock, RenewLeaseRequest, ReportBadBlocksRequest, UpdateBlockForPipelineRequest, UpdatePipelineRequest,
} from '../protocol.ts';
import type { Block, BlockId, GenStamp, TxId } from '../types.ts';
import { blocksOf, checkLease, checkSafeMode, fileLength, fileStatus, toBlock, type Answer, type FsContext } from './fs-context.ts';
import { recoverLeaseInternal } from './lease-recovery.ts';
import { hdfsError, isHdfsError, parentOf, pathComponents, type HdfsError, type INodeFile } from './namespace.ts';
import { mkdirsInternal, verifyReplication } from './namesystem-dir.ts';

// Writing a file at the NameNode (FSNamesystem.startFile / getAdditionalBlock / completeFile /
// abandonBlock / fsync / updateBlockForPipeline / updatePipeline / getAdditionalDatanode /
// renewLease, FSDirWriteFileOp). Every namespace change is an edit-log op; block state at the
// DataNodes is the block manager's.

export function create(fs: FsContext, req: CreateRequest): Answer {
  const sm = checkSafeMode(fs, `create file ${req.src}`);
  if (sm !== null) return { err: sm };
  const comps = pathComponents(req.src);
  if (isHdfsError(comps)) return { err: comps };
  if (comps.length === 0) return { err: hdfsError('FileAlreadyExistsException', '/ already exists as a directory') };
  const src = '/' + comps.join('/');
  const bad = verifyReplication(fs, src, req.replication);
  if (bad !== null) return { err: bad };
  if (req.blockSize < fs.settings.minBlockSize) {
    return { err: hdfsError('IOException', `Specified block size is less than configured minimum value (dfs.namenode.fs-limits.min-block-size): ${req.blockSize} < ${fs.settings.minBlockSize}`) };
  }
  const existing = fs.ns.resolve(src);
  const overwrite = req.flags.includes('OVERWRITE');
  let lastTxId: TxId | null = null;
  if (existing !== null) {
    if (existing.kind === 'dir') return { err: hdfsError('FileAlreadyExistsException', `${src} already exists as a directory`) };
    if (existing.uc !== null) {
      // FSNamesystem.recoverLeaseInternal(CREATE_FILE, force=false).
      const r = recoverLeaseInternal(fs, 'CREATE_FILE', existing, src, req.clientName, req.clientMachine, false);
      return { err: r.err };
    }
    if (!overwrite) return { err: hdfsError('FileAlreadyExistsException', `${src} for client ${req.clientMachine} already exists`) };
    // The old file's blocks are removed once the overwriting OP_ADD is applied.
    for (const b of existing.blocks) fs.bm.removeBlock(b.blockId);
  } else {
    const parent = fs.ns.resolve(parentOf(src));
    if (parent === null) {
      if (!req.createParent) return { err: hdfsError('FileNotFoundException', `Parent directory doesn't exist: ${parentOf(src)}`) };
      const t = mkdirsInternal(fs, parentOf(src), true);
      if (isHdfsError(t)) return { err: t };
      lastTxId = t;
    } else if (parent.kind !== 'dir') {
      return { err: hdfsError('ParentNotDirectoryException', `Parent path is not a directory: ${parentOf(src)}`) };
    }
  }
  const op = fs.log.logEdit({
    op: 'OP_ADD', inodeId: fs.ns.lastInodeId + 1, path: src, replication: req.replication, mtimeMs: fs.nowMs(), blockSize: req.blockSize,
    blocks: [], clientName: req.clientName, clientMachine: req.clientMachine, overwrite: existing !== null,
  });
  lastTxId = op.txid;
  const f = fs.ns.resolve(src);
  invariant(f !== null && f.kind === 'file' && f.uc !== null, () => `create: ${src} is not a file under construction after OP_ADD`);
  fs.leases.addLease(req.clientName, f.id, fs.localUs());
  return { ok: { type: 'createResponse', status: fileStatus(fs, f) }, txid: lastTxId, what: `create ${src}` };
}

function located(fs: FsContext, f: INodeFile, index: number, locations: readonly DatanodeLocation[]): LocatedBlock {
  let offset = 0;
  for (let i = 0; i < index; i++) offset += f.blocks[i]!.numBytes;
  return { block: toBlock(f.blocks[index]!), offset, locations, corrupt: false };
}

/** FSNamesystem.getAdditionalBlock (FSDirWriteFileOp.validateAddBlock, chooseTargetForNewBlock, storeAllocatedBlock). */
export function addBlock(fs: FsContext, req: AddBlockRequest): Answer {
  const sm = checkSafeMode(fs, `add block to ${req.src}`);
  if (sm !== null) return { err: sm };
  const f = checkLease(fs, req.src, req.clientName, req.fileId);
  if (isHdfsError(f)) return { err: f };
  const src = fs.ns.pathOf(f);
  const n = f.blocks.length;
  const last = f.blocks[n - 1];
  const penultimate = f.blocks[n - 2];
  // analyzeFileState: a retried addBlock whose block was already allocated gets the same block back.
  if (last !== undefined && last.numBytes === 0 && last.state === 'UNDER_CONSTRUCTION' &&
      ((req.previous === null && n === 1) || (req.previous !== null && penultimate?.blockId === req.previous.blockId))) {
    const locs = fs.bm.expectedLocations(last.blockId).map((name) => ({ name, host: '', rack: '' }));
    return { ok: { type: 'addBlockResponse', located: fs.bm.locatedBlock(toBlock(last), located(fs, f, n - 1, locs).offset, '') }, txid: null };
  }
  if ((req.previous === null) !== (last === undefined) || (req.previous !== null && last!.blockId !== req.previous.blockId)) {
    return { err: hdfsError('IOException', `BP-dsim:${req.previous === null ? 'null' : `blk_${req.previous.blockId}`} is not the last block of ${src}`) };
  }
  // checkFileProgress(penultimate): the block before `previous` must be complete.
  if (penultimate !== undefined && penultimate.state !== 'COMPLETE' && !fs.bm.isMinimallyReplicated(penultimate.blockId)) {
    return { err: hdfsError('NotReplicatedYetException', `Not replicated yet: ${src}`) };
  }
  let committedPrevious: Block | null = null;
  if (req.previous !== null) {
    const r = fs.bm.commitOrCompleteLastBlock(req.previous.blockId, req.previous);
    if ('error' in r) return { err: hdfsError('IOException', r.error) };
    committedPrevious = req.previous;
    fs.ns.setBlockState(f, req.previous.blockId, fs.bm.isMinimallyReplicated(req.previous.blockId) ? 'COMPLETE' : 'COMMITTED');
  }
  const targets = fs.bm.chooseTargetForNewBlock(src, f.replication, f.uc!.clientMachine, req.excludeNodes, req.favoredNodes, f.blockSize);
  if ('error' in targets) return { err: hdfsError('IOException', targets.error) };
  // createNewBlock: nextBlockId (OP_ALLOCATE_BLOCK_ID) and nextGenerationStamp (OP_SET_GENSTAMP_V2), then OP_ADD_BLOCK.
  const blockId = (fs.ns.lastBlockId + 1) as BlockId;
  fs.log.logEdit({ op: 'OP_ALLOCATE_BLOCK_ID', blockId });
  const genStamp = (fs.ns.genStamp + 1) as GenStamp;
  fs.log.logEdit({ op: 'OP_SET_GENSTAMP_V2', genStamp });
  const newBlock: Block = { blockId, genStamp, numBytes: 0 };
  const op = fs.log.logEdit({ op: 'OP_ADD_BLOCK', path: src, penultimate: committedPrevious, last: newBlock });
  fs.bm.addBlockCollection(newBlock, f.replication, f.id, 'UNDER_CONSTRUCTION', targets.map((t) => t.name));
  const lb = located(fs, f, f.blocks.length - 1, targets);
  return { ok: { type: 'addBlockResponse', located: lb }, txid: op.txid, what: `addBlock ${src} blk_${blockId}_${genStamp}` };
}

/** FSNamesystem.completeFile: commit the last block; close the file once every block is minimally replicated. */
export function complete(fs: FsContext, req: CompleteRequest): Answer {
  const sm = checkSafeMode(fs, `complete file ${req.src}`);
  if (sm !== null) return { err: sm };
  const byId = fs.ns.inode(req.fileId);
  const n = byId ?? fs.ns.resolve(req.src);
  // A retried complete of a file already closed by this client succeeds (completeFileInternal).
  if (n !== null && n !== undefined && n.kind === 'file' && n.uc === null) {
    const lastB = n.blocks[n.blocks.length - 1];
    if (req.last === null || (lastB !== undefined && lastB.blockId === req.last.blockId)) {
      return { ok: { type: 'completeResponse', result: true }, txid: null };
    }
  }
  const f = checkLease(fs, req.src, req.clientName, req.fileId);
  if (isHdfsError(f)) return { err: f };
  const last = f.blocks[f.blocks.length - 1];
  const blocks = blocksOf(f);
  if (req.last !== null) {
    if (last === undefined || last.blockId !== req.last.blockId) {
      return { err: hdfsError('IOException', `blk_${req.last.blockId} is not the last block of ${req.src}`) };
    }
    const r = fs.bm.commitOrCompleteLastBlock(req.last.blockId, req.last);
    if ('error' in r) return { err: hdfsError('IOException', r.error) };
    // The committed length and GS reach the namespace with OP_CLOSE (never an unlogged change).
    blocks[blocks.length - 1] = toBlock(req.last);
    if (last.state === 'UNDER_CONSTRUCTION') fs.ns.setBlockState(f, last.blockId, 'COMMITTED');
  }
  // checkFileProgress(checkall): every block must be minimally replicated; else the client retries.
  for (const b of f.blocks) {
    if (b.state !== 'COMPLETE' && !fs.bm.isMinimallyReplicated(b.blockId)) {
      fs.annotate(() => `complete ${req.src}: blk_${b.blockId} is not minimally replicated yet; the client retries`);
      return { ok: { type: 'completeResponse', result: false }, txid: null };
    }
  }
  const txid = finalizeFile(fs, f, blocks);
  return { ok: { type: 'completeResponse', result: true }, txid, what: `complete ${req.src} (${fileLength(f)} bytes)` };
}

/** finalizeINodeFileUnderConstruction: OP_CLOSE, the lease goes. */
export function finalizeFile(fs: FsContext, f: INodeFile, blocks: readonly Block[]): TxId {
  const holder = f.uc!.clientName;
  const op = fs.log.logEdit({ op: 'OP_CLOSE', path: fs.ns.pathOf(f), replication: f.replication, mtimeMs: fs.nowMs(), blockSize: f.blockSize, blocks });
  fs.leases.removeLease(holder, f.id);
  return op.txid;
}

export function abandonBlock(fs: FsContext, req: AbandonBlockRequest): Answer {
  const sm = checkSafeMode(fs, `abandon block ${req.block.blockId}`);
  if (sm !== null) return { err: sm };
  const f = checkLease(fs, req.src, req.holder, req.fileId);
  if (isHdfsError(f)) return { err: f };
  const last = f.blocks[f.blocks.length - 1];
  if (last === undefined || last.blockId !== req.block.blockId) return { ok: { type: 'abandonBlockResponse' }, txid: null };
  const op = fs.log.logEdit({ op: 'OP_UPDATE_BLOCKS', path: fs.ns.pathOf(f), blocks: blocksOf(f).slice(0, -1) });
  fs.bm.removeBlockFromMap(req.block.blockId);
  return { ok: { type: 'abandonBlockResponse' }, txid: op.txid, what: `abandonBlock ${req.src} blk_${req.block.blockId}` };
}

/** FSNamesystem.fsync (hsync with UPDATE_LENGTH): persist the last block's length with OP_UPDATE_BLOCKS. */
export function fsyncFile(fs: FsContext, req: FsyncRequest): Answer {
  const sm = checkSafeMode(fs, `fsync file ${req.src}`);
  if (sm !== null) return { err: sm };
  const f = checkLease(fs, req.src, req.clientName, req.fileId);
  if (isHdfsError(f)) return { err: f };
  const blocks = blocksOf(f);
  const last = blocks[blocks.length - 1];
  if (req.lastBlockLength > 0 && last !== undefined) blocks[blocks.length - 1] = { ...last, numBytes: req.lastBlockLength };
  const op = fs.log.logEdit({ op: 'OP_UPDATE_BLOCKS', path: fs.ns.pathOf(f), blocks });
  return { ok: { type: 'fsyncResponse' }, txid: op.txid, what: `fsync ${req.src}` };
}

/** FSNamesystem.checkUCBlock: the block is the last block of a file under construction leased to clientName. */
function checkUCBlock(fs: FsContext, block: Block, clientName: string): { f: INodeFile; index: number } | HdfsError {
  for (const f of fs.ns.filesUnderConstruction()) {
    const index = f.blocks.findIndex((b) => b.blockId === block.blockId);
    if (index < 0) continue;
    const b = f.blocks[index]!;
    if (b.state === 'COMPLETE') return hdfsError('IOException', `BP-dsim:blk_${block.blockId}_${block.genStamp} does not exist or is not under Construction`);
    if (f.uc!.clientName !== clientName) {
      return hdfsError('LeaseExpiredException', `Client (=${clientName}) is not the lease owner (=${f.uc!.clientName}) of ${fs.ns.pathOf(f)}`);
    }
    return { f, index };
  }
  return hdfsError('IOException', `BP-dsim:blk_${block.blockId}_${block.genStamp} does not exist or is not under Construction`);
}

/** FSNamesystem.updateBlockForPipeline: a new generation stamp for pipeline recovery (OP_SET_GENSTAMP_V2). */
export function updateBlockForPipeline(fs: FsContext, req: UpdateBlockForPipelineRequest): Answer {
  const sm = checkSafeMode(fs, `get a new generation stamp and an access token for block blk_${req.block.blockId}`);
  if (sm !== null) return { err: sm };
  const uc = checkUCBlock(fs, req.block, req.clientName);
  if (isHdfsError(uc)) return { err: uc };
  const genStamp = (fs.ns.genStamp + 1) as GenStamp;
  const op = fs.log.logEdit({ op: 'OP_SET_GENSTAMP_V2', genStamp });
  const b: Block = { blockId: req.block.blockId, genStamp, numBytes: req.block.numBytes };
  // The block manager locates the stored block (old GS); the answer carries the new GS
  // (FSNamesystem.updateBlockForPipeline builds its LocatedBlock from the block with the new stamp).
  const lb = { ...fs.bm.locatedBlock(b, located(fs, uc.f, uc.index, []).offset, uc.f.uc!.clientMachine), block: b };
  return { ok: { type: 'updateBlockForPipelineResponse', located: lb }, txid: op.txid, what: `updateBlockForPipeline blk_${b.blockId} -> GS ${genStamp}` };
}

/** FSNamesystem.updatePipeline: the recovered pipeline's block (new GS, length, nodes), persisted with OP_UPDATE_BLOCKS. */
export function updatePipeline(fs: FsContext, req: UpdatePipelineRequest): Answer {
  const sm = checkSafeMode(fs, `update pipeline blk_${req.oldBlock.blockId}`);
  if (sm !== null) return { err: sm };
  const uc = checkUCBlock(fs, req.oldBlock, req.clientName);
  if (isHdfsError(uc)) return { err: uc };
  if (req.newBlock.genStamp > fs.ns.genStamp) {
    return { err: hdfsError('IOException', `Update blk_${req.oldBlock.blockId} with a generation stamp ${req.newBlock.genStamp} the NameNode never issued`) };
  }
  const err = fs.bm.updatePipeline(req.oldBlock, req.newBlock, req.newNodes);
  if (err !== null) return { err: hdfsError('IOException', err) };
  const blocks = blocksOf(uc.f);
  blocks[uc.index] = { blockId: req.newBlock.blockId, genStamp: req.newBlock.genStamp, numBytes: req.newBlock.numBytes };
  const op = fs.log.logEdit({ op: 'OP_UPDATE_BLOCKS', path: fs.ns.pathOf(uc.f), blocks });
  return { ok: { type: 'updatePipelineResponse' }, txid: op.txid, what: `updatePipeline blk_${req.newBlock.blockId}_${req.newBlock.genStamp} on [${req.newNodes.join(', ')}]` };
}

export function getAdditionalDatanode(fs: FsContext, req: GetAdditionalDatanodeRequest): Answer {
  const sm = checkSafeMode(fs, `get additional datanode for ${req.src}`);
  if (sm !== null) return { err: sm };
  const f = checkLease(fs, req.src, req.clientName, req.fileId);
  if (isHdfsError(f)) return { err: f };
  const chosen = fs.bm.chooseAdditionalTargets(fs.ns.pathOf(f), req.block, req.existings, req.excludes, req.numAdditionalNodes, f.uc!.clientMachine);
  if ('error' in chosen) return { err: hdfsError('IOException', chosen.error) };
  const index = f.blocks.findIndex((b) => b.blockId === req.block.blockId);
  const offset = index < 0 ? 0 : located(fs, f, index, []).offset;
  return { ok: { type: 'getAdditionalDatanodeResponse', located: { block: req.block, offset, locations: chosen, corrupt: false } }, txid: null };
}

export function renewLease(fs: FsContext, req: RenewLeaseRequest): Answer {
  const sm = checkSafeMode(fs, `renew lease for ${req.clientName}`);
  if (sm !== null) return { err: sm };
  fs.leases.renewLease(req.clientName, fs.localUs());
  return { ok: { type: 'renewLeaseResponse' }, txid: null };
}

export function reportBadBlocks(fs: FsContext, req: ReportBadBlocksRequest): Answer {
  for (const lb of req.blocks) for (const loc of lb.locations) fs.bm.reportBadBlock(lb.block, loc.name);
  return { ok: { type: 'reportBadBlocksResponse' }, txid: null };
}
