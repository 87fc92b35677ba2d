import { describe, expect, it } from 'vitest';
import { SEC } from '../../sim/core/types.ts';
import { SafeMode } from '../../sim/hdfs/namenode/safemode.ts';

// BlockManagerSafeMode's state machine with the counts the block manager reports.

const conf = { thresholdPct: 0.999, extensionUs: 30 * SEC, minDatanodes: 0 };

describe('safe mode (BlockManagerSafeMode)', () => {
  it('an empty namespace leaves safe mode at activation, without the extension', () => {
    const sm = new SafeMode(conf);
    expect(sm.activate({ blockTotal: 0, blockSafe: 0, liveDatanodes: 0 }, 0)).toBe(true);
    expect(sm.isOn).toBe(false);
  });

  it('waits for floor(total x 0.999) safe blocks, then the 30 s extension from the first time they were met; blocks missing at its end hold it until they are back', () => {
    const sm = new SafeMode(conf);
    expect(sm.activate({ blockTotal: 1000, blockSafe: 0, liveDatanodes: 0 }, 0)).toBe(false);
    expect(sm.tip(0)).toBe('The reported blocks 0 needs additional 999 blocks to reach the threshold 0.9990 of total blocks 1000. Safe mode will be turned off automatically once the thresholds have been reached.');
    expect(sm.check({ blockTotal: 1000, blockSafe: 998, liveDatanodes: 3 }, 5 * SEC)).toBeNull();
    expect(sm.status).toBe('PENDING_THRESHOLD');
    expect(sm.check({ blockTotal: 1000, blockSafe: 999, liveDatanodes: 3 }, 6 * SEC)).toBeNull();
    expect(sm.status).toBe('EXTENSION');
    expect(sm.tip(16 * SEC)).toBe('The reported blocks 999 has reached the threshold 0.9990 of total blocks 1000. Safe mode will be turned off automatically in 20 seconds.');
    expect(sm.check({ blockTotal: 1000, blockSafe: 990, liveDatanodes: 3 }, 20 * SEC)).toBeNull();
    expect(sm.status).toBe('EXTENSION');
    expect(sm.check({ blockTotal: 1000, blockSafe: 990, liveDatanodes: 3 }, 40 * SEC)).toBeNull();
    expect(sm.status).toBe('EXTENSION');
    expect(sm.check({ blockTotal: 1000, blockSafe: 1000, liveDatanodes: 3 }, 41 * SEC)).toBe('left');
    expect(sm.isOn).toBe(false);
  });

  it('min.datanodes holds safe mode until that many DataNodes are live; a threshold above 1 never leaves', () => {
    const sm = new SafeMode({ ...conf, minDatanodes: 2, extensionUs: 0 });
    sm.activate({ blockTotal: 0, blockSafe: 0, liveDatanodes: 1 }, 0);
    expect(sm.tip(0)).toContain('The number of live datanodes 1 needs an additional 1 live datanodes to reach the minimum number 2.');
    expect(sm.check({ blockTotal: 0, blockSafe: 0, liveDatanodes: 2 }, SEC)).toBe('left');
    const stuck = new SafeMode({ ...conf, thresholdPct: 1.5 });
    stuck.activate({ blockTotal: 0, blockSafe: 0, liveDatanodes: 9 }, 0);
    expect(stuck.check({ blockTotal: 0, blockSafe: 0, liveDatanodes: 9 }, 100 * SEC)).toBeNull();
    expect(stuck.isOn).toBe(true);
  });
});
