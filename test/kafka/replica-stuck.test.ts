import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScriptFile } from '../interaction/lib/run-script.ts';

// kafka-replica-stuck (sim/kafka/checkers/replica-stuck.ts) on the out-of-order append of
// test/interaction/kafka/out-of-order-append.txt: the same scenario at 0.11 (KIP-101's truncation
// point falls inside a leader batch, the append is refused, the fetcher thread dies) and at 2.0
// (KIP-279 truncates to the batch's start). The planted bug `kip279-answer-ignored`
// (test/planted/catalogue.ts) makes the 2.0 half stick as well.

const SCRIPT = join(import.meta.dirname, '..', 'interaction', 'kafka', 'out-of-order-append.txt');

describe('kafka-replica-stuck', () => {
  it('fires on the stuck replica at 0.11 and not at 2.0 (out-of-order-append)', () => {
    const r = runScriptFile(SCRIPT);
    const halves = r.actual.split(/^kafka brokers=3 replicas=1,2,3 ibp=2\.0.*$/m);
    expect(halves.length).toBe(2);
    const stuck = (text: string): string[] => text.split('\n').filter((l) => l.startsWith('violation kafka-replica-stuck'));
    expect(stuck(halves[0]!)).toEqual([expect.stringContaining('broker 2 on events-0 (LEO 3, leader 1 at LEO 5')]);
    expect(stuck(halves[1]!)).toEqual([]);
    expect(r.actual).toBe(r.expected);
  }, 60_000);
});
