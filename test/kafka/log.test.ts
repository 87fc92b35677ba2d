import { describe, expect, it } from 'vitest';
import { isAppendError, isReadError, type Log } from '../../sim/kafka/log/log.ts';
import { batchBaseOffset, batchLastOffset, checkBatch, readInt32, readRecords, fromUtf8 } from '../../sim/kafka/records.ts';
import { batchOf, logRig } from './helpers.ts';
import { Rng } from '../../sim/core/rng.ts';

const TP = { topic: 'events', partition: 0 };
const DIR = 'broker-1/kafka-logs/events-0';

function appendN(log: Log, batches: number, perBatch = 1, epoch = 0, prefix = 'v', tsMs = 1000, valueBytes = 0): void {
  for (let i = 0; i < batches; i++) {
    const r = log.appendAsLeader(batchOf(`${prefix}${i}`, perBatch, tsMs, valueBytes), epoch);
    if (isAppendError(r)) throw new Error(r.message);
  }
}

function values(log: Log): (string | null)[] {
  return log.records().map((r) => r.value);
}

describe('log: append, offsets, segments and the offset index', () => {
  it('assigns contiguous offsets and stamps the leader epoch on each batch', () => {
    const rig = logRig();
    const log = rig.host().manager.getOrCreateLog(TP);
    const a = log.appendAsLeader(batchOf('a', 3), 4);
    const b = log.appendAsLeader(batchOf('b', 2), 4);
    expect(isAppendError(a) || isAppendError(b)).toBe(false);
    expect(log.logEndOffset).toBe(5);
    expect(log.batches().map((x) => [x.baseOffset, x.lastOffset, x.leaderEpoch])).toEqual([[0, 2, 4], [3, 4, 4]]);
    expect(log.epochCache!.entries()).toEqual([{ epoch: 4, startOffset: 0 }]);
    expect(values(log)).toEqual(['a-0', 'a-1', 'a-2', 'b-0', 'b-1']);
  });

  it('does not stamp epochs before 0.11 (message format without leader epochs)', () => {
    const rig = logRig({ 'kafka.inter.broker.protocol.version': '0.10.2' });
    const log = rig.host().manager.getOrCreateLog(TP);
    appendN(log, 2, 1, 7);
    expect(log.batches().map((x) => x.leaderEpoch)).toEqual([-1, -1]);
    expect(log.epochCache).toBeNull();
    expect(rig.world.disks[0]!.exists(`${DIR}/leader-epoch-checkpoint`)).toBe(false);
  });

  it('rolls by log.segment.bytes into files named by 20-digit base offsets', () => {
    const rig = logRig({ 'kafka.log.segment.bytes': '300' });
    const log = rig.host().manager.getOrCreateLog(TP);
    appendN(log, 10);
    const size = log.batches()[0]!.sizeInBytes;
    expect(log.numberOfSegments).toBeGreaterThan(2);
    const bases = log.segmentBaseOffsets();
    const files = rig.world.disks[0]!.list(`${DIR}/`).map((p) => p.slice(DIR.length + 1));
    for (const b of bases) {
      const name = String(b).padStart(20, '0');
      expect(files).toContain(`${name}.log`);
      expect(files).toContain(`${name}.index`);
      expect(files).toContain(`${name}.timeindex`);
    }
    for (let i = 0; i < bases.length - 1; i++) expect(log.segmentAt(i).size).toBeLessThanOrEqual(300);
    expect(bases[1]).toBe(Math.floor(300 / size));
    expect(values(log)).toEqual(Array.from({ length: 10 }, (_, i) => `v${i}-0`));
  });

  it('rolls by log.roll.ms measured from the first batch timestamp', () => {
    const rig = logRig({ 'kafka.log.roll.ms': '1000' });
    const log = rig.host().manager.getOrCreateLog(TP);
    log.appendAsLeader(batchOf('a', 1, 10_000), 0);
    log.appendAsLeader(batchOf('b', 1, 10_900), 0);
    expect(log.numberOfSegments).toBe(1);
    log.appendAsLeader(batchOf('c', 1, 11_001), 0);
    expect(log.segmentBaseOffsets()).toEqual([0, 2]);
  });

  it('writes a sparse offset index every log.index.interval.bytes: (relative offset, position) of a batch start', () => {
    const rig = logRig({ 'kafka.log.index.interval.bytes': '200' });
    const log = rig.host().manager.getOrCreateLog(TP);
    appendN(log, 20, 2);
    const seg = log.segmentAt(0);
    const idx = rig.world.disks[0]!.read(`${DIR}/00000000000000000000.index`, 0, 1 << 20) as Uint8Array;
    expect(idx.length % 8).toBe(0);
    expect(idx.length / 8).toBe(seg.offsetIndex.entries);
    expect(seg.offsetIndex.entries).toBeGreaterThan(2);
    const data = rig.world.disks[0]!.read(`broker-1/${seg.logPath}`, 0, seg.size) as Uint8Array;
    for (let i = 0; i < idx.length; i += 8) {
      const rel = readInt32(idx, i);
      const pos = readInt32(idx, i + 4);
      // The entry names the last offset of the batch that starts at that position.
      expect(checkBatch(data, pos, data.length)).toBeGreaterThan(0);
      expect(batchLastOffset(data, pos)).toBe(rel);
    }
    // lookup returns the greatest entry <= target; the segment scans batches from there.
    for (let target = 0; target < 40; target++) {
      const e = seg.offsetIndex.lookup(target);
      expect(e.offset).toBeLessThanOrEqual(Math.max(target, 0));
      const t = seg.translateOffset(target)!;
      expect(t.baseOffset).toBeLessThanOrEqual(target);
      expect(t.lastOffset).toBeGreaterThanOrEqual(target);
      expect(batchBaseOffset(data, t.position)).toBe(t.baseOffset);
    }
  });

  it('rejects a corrupt batch with Kafka\'s message and a follower append below the LEO', () => {
    const rig = logRig();
    const log = rig.host().manager.getOrCreateLog(TP);
    const bad = batchOf('x', 2);
    bad[bad.length - 1]! ^= 1;
    const r = log.appendAsLeader(bad, 0);
    expect(isAppendError(r) && r.error).toBe('CORRUPT_MESSAGE');
    expect(isAppendError(r) && r.message).toMatch(/^Record is corrupt \(stored crc = \d+, computed crc = \d+\) in topic partition events-0\.$/);
    appendN(log, 2);
    const copy = log.read(0, 1 << 20, 'leo');
    if (isReadError(copy)) throw new Error(copy.message);
    const f = log.appendAsFollower(copy.records);
    expect(isAppendError(f) && f.error).toBe('UNEXPECTED_APPEND_OFFSET');
  });
});

describe('log: reads', () => {
  it('returns whole batches from the one holding the fetch offset, bounded by maxBytes but at least one', () => {
    const rig = logRig({ 'kafka.log.segment.bytes': '1000' });
    const log = rig.host().manager.getOrCreateLog(TP);
    appendN(log, 30, 2);
    const one = log.batches()[0]!.sizeInBytes;
    const r = log.read(5, one * 3, 'leo');
    if (isReadError(r)) throw new Error(r.message);
    const got: number[] = [];
    for (let p = 0; p < r.records.length; p += checkBatch(r.records, p, r.records.length) as number) got.push(batchBaseOffset(r.records, p));
    expect(got).toEqual([4, 6, 8]);
    const tiny = log.read(5, 1, 'leo');
    if (isReadError(tiny)) throw new Error(tiny.message);
    expect(tiny.records.length).toBe(one);
  });

  it('continues into the next segment and stops at the high watermark for consumers', () => {
    const rig = logRig({ 'kafka.log.segment.bytes': '300' });
    const log = rig.host().manager.getOrCreateLog(TP);
    appendN(log, 12);
    log.updateHighWatermark(7);
    const r = log.read(0, 1 << 20, 'hw');
    if (isReadError(r)) throw new Error(r.message);
    const offsets: number[] = [];
    for (let p = 0; p < r.records.length; p += checkBatch(r.records, p, r.records.length) as number) offsets.push(...readRecords(r.records, p).map((x) => x.offset));
    // A read stays within one segment; here the first one.
    expect(offsets[0]).toBe(0);
    expect(Math.max(...offsets)).toBeLessThan(7);
    const atHw = log.read(7, 1 << 20, 'hw');
    expect(!isReadError(atHw) && atHw.records.length).toBe(0);
    const follower = log.read(7, 1 << 20, 'leo');
    expect(!isReadError(follower) && batchBaseOffset(follower.records, 0)).toBe(7);
  });

  it('answers an out-of-range fetch with Kafka\'s message', () => {
    const rig = logRig();
    const log = rig.host().manager.getOrCreateLog(TP);
    appendN(log, 3);
    const r = log.read(9, 100, 'leo');
    expect(isReadError(r) && r.message).toBe('Received request for offset 9 for partition events-0, but we only have log segments in the range 0 to 3.');
  });

  it('lets a follower copy the leader\'s log byte for byte', () => {
    const rig = logRig();
    const m = rig.host().manager;
    const leader = m.getOrCreateLog(TP);
    const follower = m.getOrCreateLog({ topic: 'events', partition: 1 });
    appendN(leader, 5, 3, 2);
    let off = 0;
    while (off < leader.logEndOffset) {
      const r = leader.read(off, 100, 'leo');
      if (isReadError(r)) throw new Error(r.message);
      const a = follower.appendAsFollower(r.records);
      if (isAppendError(a)) throw new Error(a.message);
      off = follower.logEndOffset;
    }
    expect(follower.batches()).toEqual(leader.batches());
    expect(follower.epochCache!.entries()).toEqual([{ epoch: 2, startOffset: 0 }]);
  });
});

describe('log: flush policy and recovery point', () => {
  it('by default writes to the page cache only: nothing is fsynced and the recovery point stays', () => {
    const rig = logRig();
    const log = rig.host().manager.getOrCreateLog(TP);
    appendN(log, 5);
    rig.run(1000);
    expect(log.recoveryPoint).toBe(0);
    expect(rig.world.disks[0]!.durableContent(`${DIR}/00000000000000000000.log`)!.length).toBe(0);
  });

  it('with log.flush.interval.messages=1 every append starts an fsync; the recovery point moves when it completes', () => {
    const rig = logRig({ 'kafka.log.flush.interval.messages': '1' });
    const log = rig.host().manager.getOrCreateLog(TP);
    const r = log.appendAsLeader(batchOf('a', 1), 0);
    expect(!isAppendError(r) && r.flushOffset).toBe(1);
    expect(log.recoveryPoint).toBe(0);
    let durable = false;
    log.awaitFlush(1, (ok) => {
      durable = ok;
    });
    rig.run(10);
    expect(durable).toBe(true);
    expect(log.recoveryPoint).toBe(1);
    expect(rig.world.disks[0]!.durableContent(`${DIR}/00000000000000000000.log`)!.length).toBe(log.size);
  });

  it('a roll flushes the older segments (Kafka schedules flush(newOffset))', () => {
    const rig = logRig({ 'kafka.log.segment.bytes': '300' });
    const log = rig.host().manager.getOrCreateLog(TP);
    appendN(log, 5);
    rig.run(10);
    const bases = log.segmentBaseOffsets();
    expect(bases.length).toBeGreaterThan(1);
    expect(log.recoveryPoint).toBe(bases[bases.length - 1]);
  });

  it('the flusher task honours log.flush.interval.ms (first run 30 s after start)', () => {
    const rig = logRig({ 'kafka.log.flush.interval.ms': '1000', 'kafka.log.flush.scheduler.interval.ms': '1000' }, { runTasks: true });
    const log = rig.host().manager.getOrCreateLog(TP);
    appendN(log, 3);
    rig.run(29_000);
    expect(log.recoveryPoint).toBe(0);
    rig.run(2_000);
    expect(log.recoveryPoint).toBe(3);
  });
});

describe('log: recovery on restart', () => {
  it('after a process crash the page cache keeps everything: nothing is lost, unflushed segments are rescanned', () => {
    const rig = logRig({ 'kafka.log.segment.bytes': '300' });
    appendN(rig.host().manager.getOrCreateLog(TP), 10);
    const h = rig.crashAndRestart();
    const log = h.manager.getLog(TP)!;
    expect(log.logEndOffset).toBe(10);
    expect(values(log)).toEqual(Array.from({ length: 10 }, (_, i) => `v${i}-0`));
    expect(h.report.hadCleanShutdown).toBe(false);
    // No recovery-point checkpoint was written: every segment is rescanned.
    expect(h.report.logs['events-0']!.recovered).toEqual(log.segmentBaseOffsets());
  });

  it('rescans only from the checkpointed recovery point', () => {
    const rig = logRig({ 'kafka.log.segment.bytes': '300' });
    const m = rig.host().manager;
    const log = m.getOrCreateLog(TP);
    appendN(log, 10);
    rig.run(10); // the roll flushes complete
    m.checkpointRecoveryPoints();
    rig.run(10);
    const rp = log.recoveryPoint;
    expect(rp).toBeGreaterThan(0);
    const h = rig.crashAndRestart();
    const bases = h.manager.getLog(TP)!.segmentBaseOffsets();
    expect(h.report.logs['events-0']!.recovered).toEqual(bases.filter((b) => b >= bases.filter((x) => x <= rp).pop()!));
    expect(h.report.logs['events-0']!.recovered.length).toBeLessThan(bases.length);
  });

  it('truncates a torn tail: the half-written last batch is cut, the log continues from there', () => {
    const rig = logRig();
    const log = rig.host().manager.getOrCreateLog(TP);
    appendN(log, 6);
    const seg = log.active;
    const lastSize = log.batches()[5]!.sizeInBytes;
    // The last batch was only half written when the machine stopped.
    rig.world.disks[0]!.truncate(`broker-1/${seg.logPath}`, seg.size - Math.floor(lastSize / 2));
    const h = rig.crashAndRestart();
    const after = h.manager.getLog(TP)!;
    expect(after.logEndOffset).toBe(5);
    expect(h.report.logs['events-0']!.truncatedBytes).toBe(lastSize - Math.floor(lastSize / 2));
    const r = after.appendAsLeader(batchOf('new', 1), 1);
    expect(!isAppendError(r) && r.firstOffset).toBe(5);
    expect(values(after)).toEqual(['v0-0', 'v1-0', 'v2-0', 'v3-0', 'v4-0', 'new-0']);
  });

  it('truncates at the first batch whose CRC fails and deletes the later segments', () => {
    const rig = logRig({ 'kafka.log.segment.bytes': '400' });
    const log = rig.host().manager.getOrCreateLog(TP);
    appendN(log, 12);
    const seg0 = log.segmentAt(0);
    const sizes = log.batches().map((b) => b.sizeInBytes);
    const pos = sizes[0]! + sizes[1]!; // third batch of segment 0
    const disk = rig.world.disks[0]!;
    const path = `broker-1/${seg0.logPath}`;
    const byte = (disk.read(path, pos + 70, 1) as Uint8Array)[0]!;
    disk.write(path, pos + 70, new Uint8Array([byte ^ 0x04]));
    const laterSegments = log.segmentBaseOffsets().slice(1);
    const h = rig.crashAndRestart();
    const after = h.manager.getLog(TP)!;
    expect(after.logEndOffset).toBe(2);
    expect(after.segmentBaseOffsets()).toEqual([0]);
    const rep = h.report.logs['events-0']!;
    expect(rep.deleted).toEqual(laterSegments);
    expect(rep.messages.join(' ')).toMatch(/Record is corrupt \(stored crc = \d+, computed crc = \d+\)/);
    for (const b of laterSegments) expect(disk.exists(`${DIR}/${String(b).padStart(20, '0')}.log`)).toBe(false);
  });

  it('does not notice corruption below the recovery point (Kafka only rescans unflushed segments)', () => {
    const rig = logRig({ 'kafka.log.segment.bytes': '400' });
    const m = rig.host().manager;
    const log = m.getOrCreateLog(TP);
    appendN(log, 12);
    rig.run(10);
    m.checkpointRecoveryPoints();
    rig.run(10);
    const seg0 = log.segmentAt(0);
    const disk = rig.world.disks[0]!;
    const path = `broker-1/${seg0.logPath}`;
    const byte = (disk.read(path, 70, 1) as Uint8Array)[0]!;
    disk.write(path, 70, new Uint8Array([byte ^ 0x04]));
    const h = rig.crashAndRestart();
    expect(h.manager.getLog(TP)!.logEndOffset).toBe(12);
    expect(h.report.logs['events-0']!.recovered).not.toContain(0);
  });

  it('rebuilds a missing or corrupt offset index', () => {
    const rig = logRig({ 'kafka.log.index.interval.bytes': '100' });
    const log = rig.host().manager.getOrCreateLog(TP);
    appendN(log, 10);
    const entries = log.active.offsetIndex.entries;
    const idx = `${DIR}/00000000000000000000.index`;
    rig.world.disks[0]!.append(idx, new Uint8Array(3)); // no longer a multiple of 8 bytes
    const h = rig.crashAndRestart();
    const after = h.manager.getLog(TP)!;
    expect(h.report.logs['events-0']!.rebuiltIndexes).toEqual([0]);
    expect(after.active.offsetIndex.entries).toBe(entries);
    expect(after.logEndOffset).toBe(10);
  });

  it('rebuilds the epoch cache from the batches of unflushed segments', () => {
    const rig = logRig();
    const log = rig.host().manager.getOrCreateLog(TP);
    appendN(log, 2, 1, 1);
    appendN(log, 2, 1, 3);
    rig.world.disks[0]!.delete(`${DIR}/leader-epoch-checkpoint`);
    const h = rig.crashAndRestart();
    expect(h.manager.getLog(TP)!.epochCache!.entries()).toEqual([{ epoch: 1, startOffset: 0 }, { epoch: 3, startOffset: 2 }]);
  });

  it('a power loss with default flushing loses what was never written back', () => {
    const rig = logRig();
    appendN(rig.host().manager.getOrCreateLog(TP), 5);
    const h = rig.powerCycle();
    expect(h.manager.getLog(TP)!.logEndOffset).toBe(0);
  });

  it('a power loss keeps what was fsynced (log.flush.interval.messages=1)', () => {
    const rig = logRig({ 'kafka.log.flush.interval.messages': '1' });
    appendN(rig.host().manager.getOrCreateLog(TP), 5);
    rig.run(20);
    const h = rig.powerCycle();
    const log = h.manager.getLog(TP)!;
    expect(log.logEndOffset).toBe(5);
    expect(values(log)).toEqual(['v0-0', 'v1-0', 'v2-0', 'v3-0', 'v4-0']);
  });

  it('a power loss during write-back leaves a torn batch that recovery cuts off', () => {
    const rig = logRig();
    const log = rig.host().manager.getOrCreateLog(TP);
    appendN(log, 2, 1, 0, 'small');
    log.flush();
    rig.run(20);
    expect(log.recoveryPoint).toBe(2);
    // A 2 MB batch takes about 8 ms to write back at 240 MB/s; power fails half way.
    const big = log.appendAsLeader(batchOf('big', 1, 1000, 2_000_000), 0);
    expect(isAppendError(big)).toBe(false);
    log.flush();
    rig.run(4);
    const h = rig.powerCycle();
    const after = h.manager.getLog(TP)!;
    const rep = h.report.logs['events-0']!;
    expect(rep.truncatedBytes).toBeGreaterThan(0);
    expect(after.logEndOffset).toBe(2);
    expect(values(after)).toEqual(['small0-0', 'small1-0']);
  });

  it('a clean shutdown writes the marker and the next start skips recovery', () => {
    const rig = logRig();
    const m = rig.host().manager;
    appendN(m.getOrCreateLog(TP), 4);
    let done = false;
    m.shutdown(() => {
      done = true;
    });
    rig.run(50);
    expect(done).toBe(true);
    expect(rig.world.disks[0]!.exists('broker-1/kafka-logs/.kafka_cleanshutdown')).toBe(true);
    const h = rig.powerCycle();
    expect(h.report.hadCleanShutdown).toBe(true);
    expect(h.report.logs['events-0']!.recovered).toEqual([]);
    expect(h.manager.getLog(TP)!.logEndOffset).toBe(4);
    expect(h.manager.getLog(TP)!.recoveryPoint).toBe(4);
    expect(rig.world.disks[0]!.exists('broker-1/kafka-logs/.kafka_cleanshutdown')).toBe(false);
  });
});

describe('log: truncation', () => {
  it('truncateTo removes later segments, the tail, index entries and epochs, and lowers the recovery point', () => {
    const rig = logRig({ 'kafka.log.segment.bytes': '300', 'kafka.log.index.interval.bytes': '0' });
    const log = rig.host().manager.getOrCreateLog(TP);
    appendN(log, 4, 1, 1);
    appendN(log, 8, 1, 2);
    rig.run(10);
    log.updateHighWatermark(12);
    expect(log.truncateTo(6)).toBe(true);
    expect(log.logEndOffset).toBe(6);
    expect(log.highWatermark).toBe(6);
    expect(log.recoveryPoint).toBeLessThanOrEqual(6);
    expect(log.epochCache!.entries()).toEqual([{ epoch: 1, startOffset: 0 }, { epoch: 2, startOffset: 4 }]);
    expect(values(log)).toEqual(['v0-0', 'v1-0', 'v2-0', 'v3-0', 'v0-0', 'v1-0']);
    expect(log.active.offsetIndex.lastOffset).toBeLessThan(6);
    log.truncateTo(3);
    expect(log.epochCache!.entries()).toEqual([{ epoch: 1, startOffset: 0 }]);
    const r = log.appendAsLeader(batchOf('n', 1), 5);
    expect(!isAppendError(r) && r.firstOffset).toBe(3);
    expect(log.truncateTo(100)).toBe(false);
  });

  it('truncateFullyAndStartAt empties the log at a new start offset', () => {
    const rig = logRig({ 'kafka.log.segment.bytes': '300' });
    const log = rig.host().manager.getOrCreateLog(TP);
    appendN(log, 8, 1, 1);
    log.truncateFullyAndStartAt(50);
    expect(log.logEndOffset).toBe(50);
    expect(log.logStartOffset).toBe(50);
    expect(log.segmentBaseOffsets()).toEqual([50]);
    expect(log.epochCache!.entries()).toEqual([]);
    const r = log.appendAsLeader(batchOf('n', 2), 3);
    expect(!isAppendError(r) && r.firstOffset).toBe(50);
    const h = rig.crashAndRestart();
    expect(h.manager.getLog(TP)!.logStartOffset).toBe(50);
    expect(h.manager.getLog(TP)!.logEndOffset).toBe(52);
  });

  it('a truncation through the manager checkpoints the recovery points at once', () => {
    const rig = logRig({ 'kafka.log.segment.bytes': '300' });
    const m = rig.host().manager;
    const log = m.getOrCreateLog(TP);
    appendN(log, 10);
    rig.run(10);
    m.truncateTo(new Map([['events-0', 2]]));
    rig.run(10);
    const text = new TextDecoder().decode(rig.world.disks[0]!.durableContent('broker-1/kafka-logs/recovery-point-offset-checkpoint')!);
    expect(text).toBe(`0\n1\nevents 0 ${log.recoveryPoint}\n`);
    expect(log.recoveryPoint).toBeLessThanOrEqual(2);
  });
});

describe('log: retention', () => {
  it('deletes whole segments older than log.retention.ms, never beyond the high watermark', () => {
    const rig = logRig({ 'kafka.log.segment.bytes': '300', 'kafka.log.retention.ms': '10000' });
    const m = rig.host().manager;
    const log = m.getOrCreateLog(TP);
    const now = (): number => Math.floor(rig.world.nowUs / 1000);
    appendN(log, 8, 1, 1, 'old', now());
    rig.run(20_000);
    appendN(log, 2, 1, 2, 'new', now());
    const before = log.segmentBaseOffsets();
    expect(before.length).toBeGreaterThan(2);
    // HW 0: nothing may go.
    expect(m.cleanupLogs()).toBe(0);
    log.updateHighWatermark(log.logEndOffset);
    const deleted = m.cleanupLogs();
    expect(deleted).toBeGreaterThan(0);
    expect(log.logStartOffset).toBe(log.segmentBaseOffsets()[0]);
    expect(log.records().every((r) => r.offset >= log.logStartOffset)).toBe(true);
    expect(values(log).filter((v) => v!.startsWith('new'))).toHaveLength(2);
    // The epoch cache starts at the new log start.
    expect(log.epochCache!.entries()[0]!.startOffset).toBe(log.logStartOffset);
    const r = log.read(0, 100, 'leo');
    expect(isReadError(r) && r.error).toBe('OFFSET_OUT_OF_RANGE');
  });

  it('deletes the oldest segments while the log is larger than log.retention.bytes', () => {
    const rig = logRig({ 'kafka.log.segment.bytes': '300', 'kafka.log.retention.bytes': '600' });
    const m = rig.host().manager;
    const log = m.getOrCreateLog(TP);
    appendN(log, 20);
    log.updateHighWatermark(log.logEndOffset);
    m.cleanupLogs();
    expect(log.size).toBeLessThanOrEqual(600 + 300);
    expect(log.size).toBeGreaterThan(0);
    expect(log.logEndOffset).toBe(20);
    expect(log.records().at(-1)!.value).toBe('v19-0');
  });

  it('never deletes the only, empty active segment and keeps one segment after deleting all', () => {
    const rig = logRig({ 'kafka.log.retention.ms': '0', 'kafka.log.segment.bytes': '300' });
    const m = rig.host().manager;
    const log = m.getOrCreateLog(TP);
    appendN(log, 6, 1, 0, 'v', 0);
    log.updateHighWatermark(log.logEndOffset);
    rig.run(5);
    m.cleanupLogs();
    expect(log.numberOfSegments).toBe(1);
    expect(log.logStartOffset).toBe(6);
    expect(log.logEndOffset).toBe(6);
    expect(m.cleanupLogs()).toBe(0);
  });
});

describe('log: high watermark', () => {
  it('is clamped to [logStartOffset, LEO] and maybeIncrement never lowers it', () => {
    const rig = logRig();
    const log = rig.host().manager.getOrCreateLog(TP);
    appendN(log, 5);
    expect(log.updateHighWatermark(99)).toBe(5);
    expect(log.maybeIncrementHighWatermark(3)).toBe(false);
    expect(log.highWatermark).toBe(5);
  });

  it('starts from replication-offset-checkpoint after a restart', () => {
    const rig = logRig({ 'kafka.log.flush.interval.messages': '1' });
    const m = rig.host().manager;
    const log = m.getOrCreateLog(TP);
    appendN(log, 5);
    log.updateHighWatermark(4);
    m.checkpointHighWatermarks();
    rig.run(20);
    const h = rig.powerCycle();
    expect(h.manager.getLog(TP)!.highWatermark).toBe(4);
    expect(fromUtf8(null)).toBeNull();
  });
});

describe('log: recovery of offsets outside the CRC', () => {
  it('empties a segment whose batch offsets go backwards (a flipped baseOffset is not covered by the CRC)', () => {
    const rig = logRig({ 'kafka.log.index.interval.bytes': '0' });
    const log = rig.host().manager.getOrCreateLog(TP);
    appendN(log, 6);
    const sizes = log.batches().map((b) => b.sizeInBytes);
    const pos = sizes[0]! + sizes[1]! + sizes[2]!; // the fourth batch
    const path = `broker-1/${log.active.logPath}`;
    // baseOffset is bytes 0-7 of the batch: make offset 3 read as offset 1.
    rig.world.disks[0]!.write(path, pos + 7, new Uint8Array([1]));
    const h = rig.crashAndRestart();
    const after = h.manager.getLog(TP)!;
    expect(after.logEndOffset).toBe(0);
    expect(h.report.logs['events-0']!.messages.join(' ')).toMatch(/Found invalid offset during recovery/);
  });
});

describe('log: reads from the end of the log', () => {
  /** What a scan of batch headers from the start of the file finds for `target` (no index entries here). */
  function scanFromStart(data: Uint8Array, target: number): Uint8Array | null {
    let p = 0;
    let start = -1;
    while (p + 61 <= data.length) {
      const size = 12 + readInt32(data, p + 8);
      if (size < 61 || p + size > data.length) break;
      if (start < 0 && batchLastOffset(data, p) >= target) start = p;
      p += size;
    }
    return start < 0 ? null : data.subarray(start, p);
  }

  it('a fetch at the last append reads what a scan from the index entry reads, also after a bit flip in the page cache', () => {
    let headerHits = 0;
    for (let seed = 1; seed <= 120; seed++) {
      const rig = logRig({}, { seed });
      const log = rig.host().manager.getOrCreateLog(TP);
      appendN(log, 30);
      log.flush();
      rig.run(60_000); // written back: a flip now shows in the page cache
      const path = `broker-1/${log.active.logPath}`;
      const clean = rig.world.disks[0]!.read(path, 0, log.active.size) as Uint8Array;
      const expectedClean = scanFromStart(clean, 29);
      const first = log.read(29, 1 << 20, 'leo');
      expect(isReadError(first) ? null : [...first.records]).toEqual([...expectedClean!]);
      rig.world.disks[0]!.corrupt(new Rng(seed), path);
      const data = rig.world.disks[0]!.read(path, 0, log.active.size) as Uint8Array;
      const expected = scanFromStart(data, 29);
      if (expected === null || expected.length !== expectedClean!.length) headerHits++;
      const got = log.read(29, 1 << 20, 'leo');
      expect(isReadError(got) || got.records.length === 0 ? null : [...got.records]).toEqual(expected === null ? null : [...expected]);
    }
    // Some flips hit a header before the last batch, where a scan from the last append would differ.
    expect(headerHits).toBeGreaterThan(0);
  });
});
