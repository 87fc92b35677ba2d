import { firstBadChunk } from '../content.ts';
import type { BlockId } from '../types.ts';
import type { FsDataset } from './dataset.ts';
import type { Replica } from './replica.ts';

// VolumeScanner (BlockScanner with one volume): walks the finalized replicas in block-id order and
// verifies every chunk against its checksum, at most dfs.block.scanner.volume.bytes.per.second
// (counting the real bytes the chunks stand for), so that each replica is verified about once per
// dfs.datanode.scan.period.hours. Suspect blocks (a reader hit an error: markSuspectBlock) are
// scanned first. A corrupt replica is reported to the NameNode (reportBadBlocks).
// Deviation: the cursor is kept in memory (Hadoop saves it in scanner.cursor files), so a restarted
// DataNode starts a new pass.

export interface ScanResult {
  readonly replica: Replica;
  /** The first corrupt chunk, or -1. */
  readonly badChunk: number;
  /** How long the scan took at the configured rate. */
  readonly durationUs: number;
}

export class VolumeScanner {
  private readonly lastScanUs = new Map<BlockId, number>();
  private readonly suspects: BlockId[] = [];
  blocksScanned = 0;
  corruptFound = 0;

  constructor(private readonly dataset: FsDataset, private readonly periodUs: number, private readonly bytesPerSec: number) {}

  get enabled(): boolean {
    return this.periodUs > 0 && this.bytesPerSec > 0;
  }

  markSuspect(blockId: BlockId): void {
    if (!this.suspects.includes(blockId)) this.suspects.push(blockId);
  }

  /** The next replica due, or the time until one is due (null when there is none at all). */
  next(nowUs: number): Replica | { waitUs: number } | null {
    while (this.suspects.length > 0) {
      const r = this.dataset.get(this.suspects.shift()!);
      if (r !== undefined && r.state === 'FINALIZED') return r;
    }
    let earliest = Infinity;
    for (const r of [...this.dataset.replicas.values()].sort((a, b) => a.blockId - b.blockId)) {
      if (r.state !== 'FINALIZED') continue;
      const last = this.lastScanUs.get(r.blockId);
      if (last === undefined) return r;
      const due = last + this.periodUs;
      if (due <= nowUs) return r;
      if (due < earliest) earliest = due;
    }
    return earliest === Infinity ? null : { waitUs: earliest - nowUs };
  }

  /** Verifies one replica (VolumeScanner.scanBlock: a BlockSender that verifies checksums). */
  scan(r: Replica, nowUs: number): ScanResult {
    this.lastScanUs.set(r.blockId, nowUs);
    this.blocksScanned++;
    const chunks = Math.ceil(r.bytesOnDisk / this.dataset.bytesPerChecksum);
    const c = this.dataset.readChunks(r, 0, chunks);
    let bad = -1;
    if (c === null || c.words.length < chunks) bad = c === null ? 0 : c.words.length;
    else bad = firstBadChunk(c.words, c.lens, c.checksums);
    if (bad >= 0) this.corruptFound++;
    return { replica: r, badChunk: bad, durationUs: Math.max(1, Math.ceil((r.bytesOnDisk / this.bytesPerSec) * 1e6)) };
  }

  forget(blockId: BlockId): void {
    this.lastScanUs.delete(blockId);
  }
}
