import type { DiskView } from '../../core/actor.ts';
import { invariant } from '../../core/invariant.ts';
import {
  CHECKSUM_BYTES, CHECKSUM_TYPE_CRC32C, CHUNK_RECORD_BYTES, META_HEADER_BYTES, META_VERSION, chunkChecksum,
} from '../content.ts';
import type { Block, BlockId, GenStamp } from '../types.ts';
import { blockFileName, finalizedDir, metaFileName, parseMetaName, type Replica } from './replica.ts';

// FsDatasetImpl with one volume (FsVolumeImpl / BlockPoolSlice): replicas as files on the host's
// simulated disk, laid out as Hadoop lays them out under a data dir:
//   current/BP-<id>/current/finalized/subdirA/subdirB/blk_<id>, blk_<id>_<gs>.meta
//   current/BP-<id>/current/rbw/...    replicas being written
//   current/BP-<id>/tmp/...            TEMPORARY replicas (transfers), deleted at startup
// The block file holds chunk records and the meta file CRC32Cs (content.ts). Methods return an
// error text (an IOException in Hadoop) or null; they never throw for an expected disk fault.

export interface ChunkData {
  readonly words: number[];
  readonly lens: number[];
  /** The checksums as stored in the meta file (verification is the reader's job). */
  readonly checksums: number[];
}

export interface LoadReport {
  readonly finalized: number;
  readonly rwr: number;
  readonly tmpDeleted: number;
  /** RBW replicas whose last chunk failed its checksum at load and was cut off. */
  readonly truncated: number;
}

export class FsDataset {
  readonly replicas = new Map<BlockId, Replica>();
  private readonly base: string;

  constructor(private readonly disk: DiskView, readonly blockPoolId: string, readonly bytesPerChecksum: number) {
    this.base = `current/${blockPoolId}/`;
  }

  dirPath(dir: string): string {
    return dir === 'tmp' ? `${this.base}tmp/` : `${this.base}current/${dir}/`;
  }

  blockPath(r: Pick<Replica, 'dir' | 'blockId'>): string {
    return this.dirPath(r.dir) + blockFileName(r.blockId);
  }

  metaPath(r: Pick<Replica, 'dir' | 'blockId' | 'genStamp'>): string {
    return this.dirPath(r.dir) + metaFileName(r.blockId, r.genStamp);
  }

  get(blockId: BlockId): Replica | undefined {
    return this.replicas.get(blockId);
  }

  // ------------------------------------------------------------------ startup

  /**
   * Rebuilds the replica map from the disk (BlockPoolSlice.getVolumeMap): finalized replicas as
   * FINALIZED, replicas in rbw as RWR (ReplicaWaitingToBeRecovered: their writer is gone) with the
   * length whose checksums are valid (validateIntegrityAndSetLength), tmp emptied.
   */
  load(): LoadReport {
    this.replicas.clear();
    let finalized = 0;
    let rwr = 0;
    let tmpDeleted = 0;
    let truncated = 0;
    for (const path of this.disk.list(this.base)) {
      const rel = path.slice(this.base.length);
      if (rel.startsWith('tmp/')) {
        this.disk.delete(path);
        tmpDeleted++;
        continue;
      }
      const slash = rel.lastIndexOf('/');
      const meta = parseMetaName(rel.slice(slash + 1));
      if (meta === null || !rel.startsWith('current/')) continue;
      const dir = rel.slice('current/'.length, slash);
      const isRbw = dir === 'rbw';
      const r: Replica = {
        blockId: meta.blockId, genStamp: meta.genStamp, state: isRbw ? 'RWR' : 'FINALIZED', bytesOnDisk: 0, bytesAcked: 0,
        dir, recoveryId: null, originalState: null, writer: null,
      };
      const prev = this.replicas.get(meta.blockId);
      if (prev !== undefined) {
        // Two copies of one block (a crash between writing a new meta and deleting the old one):
        // keep the newer generation stamp, as BlockPoolSlice.resolveDuplicateReplicas does.
        const [keep, drop] = prev.genStamp >= r.genStamp ? [prev, r] : [r, prev];
        this.deleteFiles(drop);
        if (keep === prev) continue;
      }
      const valid = this.validLength(r, isRbw);
      if (valid.cut) truncated++;
      r.bytesOnDisk = valid.length;
      r.bytesAcked = valid.length;
      this.replicas.set(r.blockId, r);
      if (isRbw) rwr++;
      else finalized++;
    }
    return { finalized, rwr, tmpDeleted, truncated };
  }

  /**
   * The length of a replica from its files. For RBW replicas, the checksum of the last chunk is
   * verified and a bad last chunk cut off, and block and meta files are truncated to agree
   * (BlockPoolSlice.validateIntegrityAndSetLength).
   */
  private validLength(r: Replica, verifyTail: boolean): { length: number; cut: boolean } {
    const bp = this.blockPath(r);
    const mp = this.metaPath(r);
    const blockBytes = this.disk.exists(bp) ? this.disk.size(bp) : 0;
    const metaBytes = this.disk.exists(mp) ? this.disk.size(mp) : 0;
    let chunks = Math.min(Math.floor(blockBytes / CHUNK_RECORD_BYTES), Math.max(0, Math.floor((metaBytes - META_HEADER_BYTES) / CHECKSUM_BYTES)));
    let cut = false;
    if (verifyTail && chunks > 0) {
      const c = this.readChunks(r, chunks - 1, 1);
      if (c === null || chunkChecksum(c.words[0]!, c.lens[0]!) !== c.checksums[0]) {
        chunks--;
        cut = true;
      }
      this.disk.truncate(bp, chunks * CHUNK_RECORD_BYTES);
      this.disk.truncate(mp, META_HEADER_BYTES + chunks * CHECKSUM_BYTES);
    }
    if (chunks === 0) return { length: 0, cut };
    const last = this.readChunks(r, chunks - 1, 1);
    const lastLen = last === null ? this.bytesPerChecksum : Math.min(Math.max(last.lens[0]!, 0), this.bytesPerChecksum);
    return { length: (chunks - 1) * this.bytesPerChecksum + lastLen, cut };
  }

  // ------------------------------------------------------------------ creating replicas

  /** createRbw / createTemporary: a new empty replica with its meta header. */
  create(block: Block, state: 'RBW' | 'TEMPORARY', writer: string): Replica | string {
    const existing = this.replicas.get(block.blockId);
    if (existing !== undefined) {
      // FsDatasetImpl.createTemporary: a stale in-pipeline replica of an older GS may be replaced;
      // anything else is ReplicaAlreadyExistsException.
      if (state === 'TEMPORARY' && existing.genStamp < block.genStamp && existing.state !== 'FINALIZED') {
        this.deleteFiles(existing);
        this.replicas.delete(block.blockId);
      } else {
        return `Block ${block.blockId} already exists in state ${existing.state} and thus cannot be created`;
      }
    }
    const r: Replica = {
      blockId: block.blockId, genStamp: block.genStamp, state, bytesOnDisk: 0, bytesAcked: 0,
      dir: state === 'RBW' ? 'rbw' : 'tmp', recoveryId: null, originalState: null, writer,
    };
    const err = this.disk.create(this.blockPath(r));
    if (err !== null) return `create ${blockFileName(r.blockId)}: ${err}`;
    // A failed setup leaves no files behind (BlockReceiver's cleanupBlock -> unfinalizeBlock deletes
    // the temporary or rbw files): a leftover block file would refuse every later copy of this block
    // to this DataNode with EEXIST (createFileWithExistsCheck) until a restart.
    const undo = (what: string, e: string): string => {
      this.disk.delete(this.blockPath(r));
      this.disk.delete(this.metaPath(r));
      return `${what}: ${e}`;
    };
    const merr = this.disk.create(this.metaPath(r));
    if (merr !== null) return undo(`create ${metaFileName(r.blockId, r.genStamp)}`, merr);
    const header = new Uint8Array(META_HEADER_BYTES);
    const v = new DataView(header.buffer);
    v.setUint16(0, META_VERSION);
    v.setUint8(2, CHECKSUM_TYPE_CRC32C);
    v.setUint32(3, this.bytesPerChecksum);
    const werr = this.disk.append(this.metaPath(r), header);
    if (werr !== null) return undo('write meta header', werr);
    this.replicas.set(r.blockId, r);
    return r;
  }

  /** Renames the meta file to a new generation stamp (the block file keeps its name). */
  bumpGenStamp(r: Replica, gs: GenStamp): string | null {
    invariant(gs >= r.genStamp, `generation stamp of blk_${r.blockId} would go back from ${r.genStamp} to ${gs}`);
    if (gs === r.genStamp) return null;
    const err = this.disk.rename(this.metaPath(r), this.dirPath(r.dir) + metaFileName(r.blockId, gs));
    if (err !== null) return `rename meta to GS ${gs}: ${err}`;
    r.genStamp = gs;
    return null;
  }

  /** Cuts a replica back to `length` bytes (whole chunks plus the partial one). */
  truncate(r: Replica, length: number): string | null {
    invariant(length <= r.bytesOnDisk, `truncate blk_${r.blockId} to ${length} > bytesOnDisk ${r.bytesOnDisk}`);
    const chunks = Math.ceil(length / this.bytesPerChecksum);
    const err = this.disk.truncate(this.blockPath(r), chunks * CHUNK_RECORD_BYTES) ?? this.disk.truncate(this.metaPath(r), META_HEADER_BYTES + chunks * CHECKSUM_BYTES);
    if (err !== null) return `truncate: ${err}`;
    if (length % this.bytesPerChecksum !== 0 && chunks > 0) {
      // The last chunk is now shorter: its record keeps the word with the new length, and its
      // checksum is recomputed (FsDatasetImpl.truncateBlock recomputes the last partial chunk's
      // checksum from the data).
      const c = this.readChunks(r, chunks - 1, 1);
      if (c !== null) this.writeChunkAt(r, chunks - 1, c.words[0]!, length - (chunks - 1) * this.bytesPerChecksum);
    }
    r.bytesOnDisk = length;
    if (r.bytesAcked > length) r.bytesAcked = length;
    return null;
  }

  private writeChunkAt(r: Replica, index: number, word: number, len: number): string | null {
    const rec = new Uint8Array(CHUNK_RECORD_BYTES);
    const v = new DataView(rec.buffer);
    v.setUint32(0, word >>> 0, true);
    v.setUint32(4, len, true);
    const sum = new Uint8Array(CHECKSUM_BYTES);
    new DataView(sum.buffer).setUint32(0, chunkChecksum(word, len));
    return this.disk.write(this.blockPath(r), index * CHUNK_RECORD_BYTES, rec) ?? this.disk.write(this.metaPath(r), META_HEADER_BYTES + index * CHECKSUM_BYTES, sum);
  }

  /**
   * Writes the chunks of a packet at offsetInBlock (BlockReceiver.receivePacket): records to the
   * block file, the checksums as received to the meta file. A packet may restart at an earlier
   * chunk (a resent partial chunk after hflush, or a retransmission after pipeline recovery).
   */
  writeChunks(r: Replica, offsetInBlock: number, words: readonly number[], lens: readonly number[], checksums: readonly number[]): string | null {
    invariant(offsetInBlock % this.bytesPerChecksum === 0, `packet offset ${offsetInBlock} is not chunk-aligned`);
    invariant(offsetInBlock <= r.bytesOnDisk, `packet at ${offsetInBlock} leaves a hole after ${r.bytesOnDisk} bytes of blk_${r.blockId}`);
    const first = offsetInBlock / this.bytesPerChecksum;
    const n = words.length;
    const rec = new Uint8Array(n * CHUNK_RECORD_BYTES);
    const sums = new Uint8Array(n * CHECKSUM_BYTES);
    const rv = new DataView(rec.buffer);
    const sv = new DataView(sums.buffer);
    let len = 0;
    for (let i = 0; i < n; i++) {
      rv.setUint32(i * CHUNK_RECORD_BYTES, words[i]! >>> 0, true);
      rv.setUint32(i * CHUNK_RECORD_BYTES + 4, lens[i]!, true);
      sv.setUint32(i * CHECKSUM_BYTES, checksums[i]! >>> 0);
      len += lens[i]!;
    }
    const err = this.disk.write(this.blockPath(r), first * CHUNK_RECORD_BYTES, rec)
      ?? this.disk.write(this.metaPath(r), META_HEADER_BYTES + first * CHECKSUM_BYTES, sums);
    if (err !== null) return `write blk_${r.blockId}: ${err}`;
    const end = offsetInBlock + len;
    if (end > r.bytesOnDisk) r.bytesOnDisk = end;
    return null;
  }

  /** Reads `count` chunk records and their stored checksums, from chunk index `first`. Null if unreadable. */
  readChunks(r: Replica, first: number, count: number): ChunkData | null {
    const rec = this.disk.read(this.blockPath(r), first * CHUNK_RECORD_BYTES, count * CHUNK_RECORD_BYTES);
    const sums = this.disk.read(this.metaPath(r), META_HEADER_BYTES + first * CHECKSUM_BYTES, count * CHECKSUM_BYTES);
    if (rec === 'ENOENT' || sums === 'ENOENT') return null;
    const n = Math.min(Math.floor(rec.length / CHUNK_RECORD_BYTES), Math.floor(sums.length / CHECKSUM_BYTES));
    const rv = new DataView(rec.buffer, rec.byteOffset, rec.byteLength);
    const sv = new DataView(sums.buffer, sums.byteOffset, sums.byteLength);
    const words: number[] = [];
    const lens: number[] = [];
    const checksums: number[] = [];
    for (let i = 0; i < n; i++) {
      words.push(rv.getUint32(i * CHUNK_RECORD_BYTES, true));
      lens.push(rv.getUint32(i * CHUNK_RECORD_BYTES + 4, true));
      checksums.push(sv.getUint32(i * CHECKSUM_BYTES));
    }
    return { words, lens, checksums };
  }

  /** FsDatasetImpl.finalizeBlock: move the files from rbw (or tmp) to finalized. */
  finalize(r: Replica): string | null {
    invariant(r.state === 'RBW' || r.state === 'TEMPORARY' || r.state === 'RUR', `finalize of blk_${r.blockId} in state ${r.state}`);
    const err = this.renameReplica(r, finalizedDir(r.blockId));
    if (err !== null) return `finalize: ${err}`;
    r.state = 'FINALIZED';
    r.bytesAcked = r.bytesOnDisk;
    r.writer = null;
    r.recoveryId = null;
    r.originalState = null;
    return null;
  }

  /** Moves a replica's files to another directory ('rbw', 'tmp', a finalized dir). */
  renameReplica(r: Replica, dir: string): string | null {
    const to = { blockId: r.blockId, genStamp: r.genStamp, dir };
    const err = this.disk.rename(this.metaPath(r), this.metaPath(to)) ?? this.disk.rename(this.blockPath(r), this.blockPath(to));
    if (err !== null) return `move blk_${r.blockId} to ${dir}: ${err}`;
    r.dir = dir;
    return null;
  }

  /** Removes a replica and its files (FsDatasetImpl.invalidate, or a failed transfer's cleanup). */
  remove(r: Replica): void {
    this.deleteFiles(r);
    if (this.replicas.get(r.blockId) === r) this.replicas.delete(r.blockId);
  }

  private deleteFiles(r: Replica): void {
    this.disk.delete(this.blockPath(r));
    this.disk.delete(this.metaPath(r));
  }

  /** Block report content: every replica with its state (BlockListAsLongs: finalized, then under construction). */
  report(): { block: Block; state: Replica['state'] }[] {
    const out: { block: Block; state: Replica['state'] }[] = [];
    for (const r of [...this.replicas.values()].sort((a, b) => a.blockId - b.blockId)) {
      if (r.state === 'TEMPORARY') continue;
      out.push({ block: { blockId: r.blockId, genStamp: r.genStamp, numBytes: r.state === 'FINALIZED' ? r.bytesOnDisk : r.bytesAcked }, state: r.state });
    }
    return out;
  }
}
