import { describe, expect, it } from 'vitest';
import {
  formatEpochCheckpoint, formatOffsetCheckpoint, parseEpochCheckpoint, parseOffsetCheckpoint,
} from '../../sim/kafka/log/checkpoint.ts';
import { encodeBatch, utf8 } from '../../sim/kafka/records.ts';
import { logRig } from './helpers.ts';

describe('checkpoint file formats', () => {
  it('formats and parses replication-offset-checkpoint (topic partition offset)', () => {
    const text = formatOffsetCheckpoint([{ topic: 'events', partition: 0, offset: 42 }, { topic: 'events', partition: 1, offset: 7 }]);
    expect(text).toBe('0\n2\nevents 0 42\nevents 1 7\n');
    expect(parseOffsetCheckpoint(text, 'f')).toEqual([{ topic: 'events', partition: 0, offset: 42 }, { topic: 'events', partition: 1, offset: 7 }]);
  });

  it('formats and parses leader-epoch-checkpoint (epoch startOffset)', () => {
    expect(formatEpochCheckpoint([{ epoch: 0, startOffset: 0 }, { epoch: 3, startOffset: 57 }])).toBe('0\n2\n0 0\n3 57\n');
    expect(parseEpochCheckpoint('0\n1\n5 101\n', 'f')).toEqual([{ epoch: 5, startOffset: 101 }]);
  });

  it('rejects malformed files with Kafka\'s messages', () => {
    expect(parseOffsetCheckpoint('1\n0\n', 'f')).toEqual({ error: 'Unrecognized version of the checkpoint file (f): 1' });
    expect(parseOffsetCheckpoint('0\n2\nevents 0 42\n', 'f')).toEqual({ error: 'Expected 2 entries in checkpoint file (f), but found only 1' });
    expect(parseOffsetCheckpoint('0\n1\nevents zero 42\n', 'f')).toEqual({ error: "Malformed line in checkpoint file (f): 'events zero 42'" });
  });
});

describe('checkpoint writes survive power loss (temp file, fsync, rename)', () => {
  it('round-trips the HW checkpoint through a restart', () => {
    const rig = logRig();
    rig.host().manager.getOrCreateLog({ topic: 'events', partition: 0 });
    rig.host().manager.checkpointHighWatermarks();
    rig.run(100);
    const path = 'broker-1/kafka-logs/replication-offset-checkpoint';
    expect(new TextDecoder().decode(rig.world.disks[0]!.durableContent(path)!)).toBe('0\n1\nevents 0 0\n');
  });

  it('keeps the previous complete version when power fails before the new one is fsynced', () => {
    const rig = logRig();
    const m = rig.host().manager;
    const log = m.getOrCreateLog({ topic: 'events', partition: 0 });
    for (let i = 0; i < 5; i++) log.appendAsLeader(encodeOne(`v${i}`), 0);
    log.updateHighWatermark(3);
    m.checkpointHighWatermarks();
    rig.run(100); // version with HW 3 is in place and durable
    log.updateHighWatermark(5);
    m.checkpointHighWatermarks(); // temp written, fsync pending
    const restarted = rig.powerCycle(); // before the fsync completes
    expect(restarted.manager.checkpointedHighWatermark({ topic: 'events', partition: 0 })).toBe(3);
  });

  it('has the new version once the rename happened, even after power loss', () => {
    const rig = logRig();
    const m = rig.host().manager;
    const log = m.getOrCreateLog({ topic: 'events', partition: 0 });
    for (let i = 0; i < 5; i++) log.appendAsLeader(encodeOne(`v${i}`), 0);
    log.flush();
    log.updateHighWatermark(5);
    let done = false;
    m.checkpointHighWatermarks(() => {
      done = true;
    });
    rig.run(100);
    expect(done).toBe(true);
    const restarted = rig.powerCycle();
    expect(restarted.manager.checkpointedHighWatermark({ topic: 'events', partition: 0 })).toBe(5);
    expect(restarted.manager.getLog('events-0')!.highWatermark).toBe(5);
  });
});

function encodeOne(v: string): Uint8Array {
  return encodeBatch({ baseTimestampMs: 0, records: [{ key: null, value: utf8(v) }] });
}
