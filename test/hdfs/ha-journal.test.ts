import { describe, expect, it } from 'vitest';
import { SEC } from '../../sim/core/types.ts';
import { scanSegment } from '../../sim/hdfs/namenode/edit-segment.ts';
import type { World } from '../../sim/world/world.ts';
import { BrokenFenceJournal, haWorld, JNS, mkdirs, type WriterStep } from './ha-world.ts';

// The JournalNodes and the QJM writer (issue 13, step 1): epochs on disk, the fence, segment
// recovery, and hdfs-one-writer firing on a JournalNode with a planted broken fence.

const violations = (w: World): string[] => w.violations.map((v) => `${v.checker}: ${v.message}`);

const FIRST: WriterStep[] = [
  { atUs: 0, op: 'format' },
  { atUs: 0, op: 'recover' },
  { atUs: 0, op: 'start', txid: 1 },
  { atUs: 0, op: 'edits', bodies: mkdirs('/a', '/b') },
  { atUs: 0, op: 'edits', bodies: mkdirs('/c') },
  { atUs: 0, op: 'finalize' },
];

describe('JournalNodes and QuorumJournalManager', () => {
  it('a writer formats, takes epoch 1, writes and finalizes a segment of real op records on every JournalNode', () => {
    const { world, writer, jn } = haWorld({ writers: { 'nn-1': FIRST } });
    world.runUntil(5 * SEC);
    expect(writer('nn-1').results.map((r) => r.error)).toEqual([null, null, null, null, null, null]);
    expect(writer('nn-1').qjm.epoch).toBe(1);
    expect(writer('nn-1').qjm.committedTxId).toBe(5);
    for (const name of JNS) {
      const j = jn(name).journal;
      expect(j.lastPromisedEpoch).toBe(1);
      expect(j.lastWriterEpoch).toBe(1);
      const disk = world.disks[world.hostOf(name)]!;
      const files = disk.list(`/${name}/`).length > 0 ? disk.list(`/${name}/`) : disk.list('');
      const seg = files.find((f) => f.endsWith('edits_0000000000000000001-0000000000000000005'));
      expect(seg, files.join(',')).toBeDefined();
      const scan = scanSegment(disk.durableContent(seg!)!, [-64]);
      expect(scan.ops.map((o) => o.op)).toEqual(['OP_START_LOG_SEGMENT', 'OP_MKDIR', 'OP_MKDIR', 'OP_MKDIR', 'OP_END_LOG_SEGMENT']);
      // The epochs are durable (PersistentLongFile: tmp, fsync, rename).
      const promised = files.find((f) => f.endsWith('mycluster/current/last-promised-epoch'))!;
      expect(new TextDecoder().decode(disk.durableContent(promised)!)).toBe('1\n');
    }
    expect(violations(world)).toEqual([]);
  });

  it('a new writer fences the old one: its requests are refused below the promised epoch', () => {
    const { world, writer, jn } = haWorld({
      writers: {
        'nn-1': [...FIRST, { atUs: 10 * SEC, op: 'start', txid: 6 }],
        'nn-2': [{ atUs: 5 * SEC, op: 'recover' }, { atUs: 5 * SEC, op: 'start', txid: 6 }, { atUs: 5 * SEC, op: 'edits', bodies: mkdirs('/from-nn-2') }],
      },
    });
    world.runUntil(20 * SEC);
    expect(writer('nn-2').results.map((r) => r.error)).toEqual([null, null, null]);
    expect(writer('nn-2').qjm.epoch).toBe(2);
    const late = writer('nn-1').results.at(-1)!;
    expect(late.op).toBe('start');
    expect(late.error).toMatch(/IPC's epoch 1 is less than the last promised epoch 2/);
    for (const name of JNS) expect(jn(name).journal.lastWriterEpoch).toBe(2);
    expect(violations(world)).toEqual([]);
  });

  it('newEpoch at or below the promise is refused with the Journal wording', () => {
    const { world, jn } = haWorld({ writers: { 'nn-1': FIRST } });
    world.runUntil(5 * SEC);
    const j = jn('jn-1').journal;
    expect(() => j.handle({ type: 'qjmNewEpoch', callId: 1, journalId: 'mycluster', nsInfo: { namespaceId: 4242, clusterId: 'CID-dsim', layoutVersion: -64 }, epoch: 1 }))
      .toThrow('Proposed epoch 1 <= last promise 1 ; journal id: mycluster');
    expect(() => j.handle({ type: 'qjmNewEpoch', callId: 1, journalId: 'mycluster', nsInfo: { namespaceId: 7, clusterId: 'CID-dsim', layoutVersion: -64 }, epoch: 9 }))
      .toThrow(/Incompatible namespaceID .* NameNode has nsId 7 but storage has nsId 4242/);
  });

  it('recovers an in-progress segment from the JournalNodes that have the most: a lagging JournalNode downloads it', () => {
    const { world, writer, jn } = haWorld({
      writers: {
        'nn-1': [
          { atUs: 0, op: 'format' }, { atUs: 0, op: 'recover' }, { atUs: 0, op: 'start', txid: 1 },
          { atUs: 0, op: 'edits', bodies: mkdirs('/a') },
          { atUs: 3 * SEC, op: 'edits', bodies: mkdirs('/b', '/c') },
        ],
        'nn-2': [{ atUs: 60 * SEC, op: 'recover' }, { atUs: 60 * SEC, op: 'start', txid: 5 }],
      },
    });
    // jn-3 loses its link with nn-1 before the second batch: it holds txids 1-2, the others 1-4.
    world.schedule(2 * SEC, () => world.net.cutLinks([[world.hostOf('nn-1'), world.hostOf('jn-3')], [world.hostOf('jn-3'), world.hostOf('nn-1')]]));
    // nn-1 dies with its segment open.
    world.schedule(5 * SEC, () => world.crash(world.pid('nn-1')));
    world.runUntil(70 * SEC);
    expect(writer('nn-2').results.map((r) => r.error)).toEqual([null, null]);
    for (const name of JNS) {
      const disk = world.disks[world.hostOf(name)]!;
      const all = disk.list('');
      expect(all.some((f) => f.endsWith('edits_0000000000000000001-0000000000000000004')), `${name}: ${all.join(', ')}`).toBe(true);
      expect(jn(name).journal.lastWriterEpoch).toBe(2);
    }
    expect(violations(world)).toEqual([]);
  });

  it('hdfs-one-writer fires on a JournalNode with a planted broken fence: the old writer gets its segment accepted', () => {
    const steps = {
      'nn-1': [...FIRST, { atUs: 10 * SEC, op: 'start', txid: 6 } as const, { atUs: 10 * SEC, op: 'edits', bodies: mkdirs('/stale') } as const],
      'nn-2': [{ atUs: 5 * SEC, op: 'recover' } as const, { atUs: 5 * SEC, op: 'start', txid: 6 } as const],
    };
    const good = haWorld({ writers: steps });
    good.world.runUntil(20 * SEC);
    expect(violations(good.world)).toEqual([]);

    const broken = haWorld({ writers: steps, journal: (d, j, e) => new BrokenFenceJournal(d, j, e) });
    broken.world.runUntil(20 * SEC);
    expect(broken.writer('nn-1').results.at(-1)!.error).toBeNull(); // the stale writer believes it wrote /stale
    const v = violations(broken.world);
    expect(v.some((m) => /hdfs-one-writer: jn-\d accepted startLogSegment of segment 6 from writer epoch 1 below its promised epoch 2/.test(m)), v.join('\n')).toBe(true);
    expect(v.some((m) => /hdfs-one-writer: a majority \(jn-\d, jn-\d\) accepted startLogSegment of segment 6 from writer epoch 1 after a majority promised epoch 2/.test(m)), v.join('\n')).toBe(true);
    expect(v.some((m) => /writer epoch went back from 2 to 1/.test(m))).toBe(true);
  });
});
