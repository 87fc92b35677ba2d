import { describe, expect, it } from 'vitest';
import { LeaderEpochFileCache, type EpochCacheFlavour } from '../../sim/kafka/log/epoch-cache.ts';
import { memIO } from './helpers.ts';

const PATH = 't-0/leader-epoch-checkpoint';

function cache(flavour: EpochCacheFlavour, leo: { value: number }, io = memIO()) {
  const c = new LeaderEpochFileCache(io, PATH, flavour, () => leo.value, (e) => {
    throw e;
  });
  return { c, io };
}

const text = (io: ReturnType<typeof memIO>) => new TextDecoder().decode(io.files.get(PATH)!);

describe('leader-epoch cache: shared semantics (KIP-101 and later)', () => {
  for (const flavour of ['kip101', 'kafka7415'] as const) {
    it(`${flavour}: endOffsetFor(latest epoch) is the LEO; earlier epochs end where the next starts`, () => {
      const leo = { value: 120 };
      const { c } = cache(flavour, leo);
      c.assign(0, 0);
      c.assign(3, 57);
      c.assign(5, 101);
      expect(c.endOffsetFor(5)).toEqual({ epoch: 5, endOffset: 120 });
      expect(c.endOffsetFor(3)).toEqual({ epoch: 3, endOffset: 101 });
      expect(c.endOffsetFor(0)).toEqual({ epoch: 0, endOffset: 57 });
      // KIP-279: an epoch the cache never saw answers with the largest epoch below it.
      expect(c.endOffsetFor(4)).toEqual({ epoch: 3, endOffset: 101 });
      expect(c.endOffsetFor(1)).toEqual({ epoch: 0, endOffset: 57 });
      // Unknown higher epochs and UNDEFINED_EPOCH are undefined.
      expect(c.endOffsetFor(9)).toEqual({ epoch: -1, endOffset: -1 });
      expect(c.endOffsetFor(-1)).toEqual({ epoch: -1, endOffset: -1 });
    });

    it(`${flavour}: writes leader-epoch-checkpoint in Kafka's text format`, () => {
      const { c, io } = cache(flavour, { value: 0 });
      c.assign(0, 0);
      c.assign(3, 57);
      expect(text(io)).toBe('0\n2\n0 0\n3 57\n');
      const reloaded = new LeaderEpochFileCache(io, PATH, flavour, () => 0, () => {});
      expect(reloaded.entries()).toEqual([{ epoch: 0, startOffset: 0 }, { epoch: 3, startOffset: 57 }]);
    });

    it(`${flavour}: truncateFromEnd drops epochs starting at or after the offset`, () => {
      const { c, io } = cache(flavour, { value: 200 });
      c.assign(0, 0);
      c.assign(3, 57);
      c.assign(5, 101);
      c.truncateFromEnd(101);
      expect(c.entries()).toEqual([{ epoch: 0, startOffset: 0 }, { epoch: 3, startOffset: 57 }]);
      c.truncateFromEnd(57);
      expect(c.entries()).toEqual([{ epoch: 0, startOffset: 0 }]);
      expect(text(io)).toBe('0\n1\n0 0\n');
    });

    it(`${flavour}: truncateFromStart keeps the epoch covering the new start offset`, () => {
      const { c } = cache(flavour, { value: 200 });
      c.assign(0, 0);
      c.assign(3, 57);
      c.assign(5, 101);
      c.truncateFromStart(80);
      expect(c.entries()).toEqual([{ epoch: 3, startOffset: 80 }, { epoch: 5, startOffset: 101 }]);
      c.truncateFromStart(101);
      expect(c.entries()).toEqual([{ epoch: 5, startOffset: 101 }]);
    });
  }
});

describe('leader-epoch cache: KIP-101 generation (0.11 to 2.0)', () => {
  it('ignores an assignment that does not raise both the epoch and the offset', () => {
    const { c } = cache('kip101', { value: 100 });
    c.assign(2, 10);
    c.assign(1, 20); // lower epoch: out of order, ignored
    c.assign(3, 5); // lower offset: ignored
    c.assign(2, 30); // same epoch: ignored
    expect(c.entries()).toEqual([{ epoch: 2, startOffset: 10 }]);
  });

  it('answers UNDEFINED for an epoch below the first cached one (the follower falls back to its HW)', () => {
    const { c } = cache('kip101', { value: 100 });
    c.assign(4, 10);
    c.assign(6, 50);
    expect(c.endOffsetFor(2)).toEqual({ epoch: -1, endOffset: -1 });
  });
});

describe('leader-epoch cache: KAFKA-7415 generation (2.1 on)', () => {
  it('a new entry truncates entries that would break monotonicity', () => {
    const { c, io } = cache('kafka7415', { value: 100 });
    c.assign(2, 10);
    c.assign(3, 40);
    c.assign(4, 60);
    // A leader elected in epoch 5 at LEO 40 (its log ended there): 3@40 and 4@60 go.
    c.assign(5, 40);
    expect(c.entries()).toEqual([{ epoch: 2, startOffset: 10 }, { epoch: 5, startOffset: 40 }]);
    expect(text(io)).toBe('0\n2\n2 10\n5 40\n');
  });

  it('re-assigning the same epoch at a lower offset moves its start back', () => {
    const { c } = cache('kafka7415', { value: 100 });
    c.assign(2, 10);
    c.assign(3, 40);
    c.assign(3, 30);
    expect(c.entries()).toEqual([{ epoch: 2, startOffset: 10 }, { epoch: 3, startOffset: 30 }]);
    c.assign(3, 35); // same epoch, higher offset: nothing to do
    expect(c.entries()).toEqual([{ epoch: 2, startOffset: 10 }, { epoch: 3, startOffset: 30 }]);
  });

  it('answers (requested, first start offset) for an epoch below the first cached one', () => {
    const { c } = cache('kafka7415', { value: 100 });
    c.assign(4, 10);
    c.assign(6, 50);
    expect(c.endOffsetFor(2)).toEqual({ epoch: 2, endOffset: 10 });
  });

  it('rejects negative epochs as Kafka does', () => {
    const { c } = cache('kafka7415', { value: 0 });
    expect(() => c.assign(-1, 0)).toThrow('Received invalid partition leader epoch entry');
  });

  it('sanitises a checkpoint read back from disk by re-assigning its entries', () => {
    const io = memIO();
    io.files.set(PATH, new TextEncoder().encode('0\n3\n1 0\n3 50\n2 60\n'));
    const { c } = cache('kafka7415', { value: 100 }, io);
    expect(c.entries()).toEqual([{ epoch: 1, startOffset: 0 }, { epoch: 2, startOffset: 60 }]);
  });
});
