import type { LeaderEpochFileCache } from './epoch-cache.ts';
import { offsetFromFileName } from './files.ts';
import { check, type LogIO } from './io.ts';
import type { RecoveryReport } from './log-types.ts';
import { LogSegment, type SegmentConfig } from './segment.ts';

// Loading a partition's log from its directory (Log.loadSegmentFiles and Log.recoverLog): the
// segment files found, orphaned index files deleted, missing or corrupt indexes rebuilt, and after
// an unclean shutdown every segment that may hold offsets at or beyond the recovery point rescanned
// (lengths and CRCs checked, the first invalid or torn batch truncated, later segments deleted,
// leader epochs refilled from the batches). Log.load finishes the job (LEO, recovery point, epoch
// cache ends, high watermark).

/** Index of the segment holding `offset` (the last with baseOffset <= offset), or -1. */
export function floorSegmentIndex(segments: readonly LogSegment[], offset: number): number {
  let lo = 0;
  let hi = segments.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (segments[mid]!.baseOffset <= offset) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

export interface LoadedSegments {
  /** Ascending by base offset; empty when the directory holds no segment. */
  readonly segments: LogSegment[];
  readonly report: Omit<RecoveryReport, 'hadCleanShutdown'>;
}

export function loadSegmentFiles(
  io: LogIO, dir: string, segCfg: SegmentConfig, epochCache: LeaderEpochFileCache | null, recoveryPoint: number, hadCleanShutdown: boolean,
): LoadedSegments {
  const disk = io.disk;
  const segments: LogSegment[] = [];
  const recovered: number[] = [];
  const rebuiltIndexes: number[] = [];
  const deleted: number[] = [];
  const messages: string[] = [];
  let truncatedBytes = 0;
  const prefix = `${dir}/`;
  const names = disk.list(prefix).map((p) => p.slice(prefix.length)).filter((n) => !n.includes('/'));
  const logBases = new Set<number>();
  for (const n of names) if (n.endsWith('.log')) logBases.add(offsetFromFileName(n)!);
  // Orphaned index files (no .log) are deleted; stray checkpoint temp files too.
  for (const n of names) {
    const base = offsetFromFileName(n);
    if (base !== null && !n.endsWith('.log') && !logBases.has(base)) {
      messages.push(`Found an orphaned index file ${prefix}${n}, with no corresponding log file.`);
      check(disk.delete(prefix + n), `delete ${prefix}${n}`);
    }
  }
  for (const base of [...logBases].sort((a, b) => a - b)) {
    const { segment, indexes, why } = LogSegment.open(io, dir, base, segCfg);
    if (indexes === 'rebuild') {
      messages.push(why!);
      rebuiltIndexes.push(base);
      const r = segment.recover(null);
      truncatedBytes += r.truncatedBytes;
      if (r.reason !== null) messages.push(r.reason);
    }
    segments.push(segment);
  }

  if (!hadCleanShutdown) {
    // Log.recoverLog: rescan every segment that may hold offsets at or beyond the recovery point.
    const from = floorSegmentIndex(segments, recoveryPoint);
    for (let i = Math.max(0, from); i < segments.length; i++) {
      const seg = segments[i]!;
      recovered.push(seg.baseOffset);
      const r = seg.recover(epochCache);
      if (r.truncatedBytes > 0) {
        truncatedBytes += r.truncatedBytes;
        messages.push(r.reason ?? 'invalid bytes at the end of the segment');
        messages.push(`Corruption found in segment ${seg.baseOffset}, truncating to offset ${seg.nextOffset}`);
        // Everything after an invalid batch is gone: delete the later segments.
        for (const later of segments.splice(i + 1)) {
          deleted.push(later.baseOffset);
          later.deleteFiles();
        }
        break;
      }
    }
  }
  return { segments, report: { recovered, rebuiltIndexes, deleted, truncatedBytes, messages } };
}
