import { describe, expect, it } from 'vitest';
import type { Actor, Context } from '../../sim/core/actor.ts';
import { resolveConfig } from '../../sim/core/config.ts';
import type { Json, Message, ProcessId } from '../../sim/core/types.ts';
import { MS } from '../../sim/core/types.ts';
import { World } from '../../sim/world/world.ts';
import { DEFAULT_NETWORK } from '../../sim/env/network.ts';

// A kernel property the ZooKeeper peers rely on (FIFO quorum channels), found broken by the
// zk-random-faults sweep (seed 72): a message that reached a paused receiver's host, and a later
// message that waited out a partition, must still reach the receiver in the order they were sent.

interface Num extends Message { readonly type: 'Num'; readonly n: number }

class Sender implements Actor<Num, number> {
  private n = 0;
  constructor(private readonly ctx: Context) {
    for (const at of [10, 30, 50]) ctx.setTimer(at * MS, at);
  }
  onMessage(): void {}
  onTimer(): void {
    this.ctx.send(this.ctx.lookup('b'), { type: 'Num', n: ++this.n }, 100);
  }
  inspect(): Json {
    return { role: 'sender', sent: this.n };
  }
}

class Receiver implements Actor<Num, unknown> {
  readonly got: number[] = [];
  onMessage(_from: ProcessId, m: Num): void {
    this.got.push(m.n);
  }
  onTimer(): void {}
  inspect(): Json {
    return { role: 'receiver', got: this.got.length };
  }
}

describe('stream delivery to a paused process', () => {
  it('keeps FIFO order when messages that arrived during a pause are followed by messages held by a partition', () => {
    const world = new World({ seed: 1, config: resolveConfig({}) });
    world.addHost('ha');
    world.addHost('hb');
    const a = world.addProcess('a', 'ha', (ctx) => new Sender(ctx), { system: 'test' });
    const b = world.addProcess('b', 'hb', () => new Receiver(), { system: 'test' });
    const hb = world.hostOf('hb');
    const ha = world.hostOf('ha');
    // b pauses at 5 ms: message 1 (sent at 10 ms) reaches b's host and waits for b.
    world.schedule(5 * MS, () => world.pause(b));
    // a partition from 20 ms holds messages 2 (30 ms) and 3 (50 ms) in TCP retransmission.
    world.schedule(20 * MS, () => world.net.cutLinks([[ha, hb], [hb, ha]]));
    // b resumes while the partition still holds 2 and 3; the partition heals later.
    world.schedule(60 * MS, () => world.resume(b));
    world.schedule(70 * MS, () => world.net.restoreLinks([[ha, hb], [hb, ha]]));
    world.runUntil(5000 * MS);
    void a;
    expect(world.actor<Receiver>('b')!.got).toEqual([1, 2, 3]);
  });

  it('keeps FIFO order when the receiver resumes exactly as held messages are retransmitted', () => {
    const world = new World({ seed: 2, config: resolveConfig({}) });
    world.addHost('ha');
    world.addHost('hb');
    world.addProcess('a', 'ha', (ctx) => new Sender(ctx), { system: 'test' });
    const b = world.addProcess('b', 'hb', () => new Receiver(), { system: 'test' });
    const ha = world.hostOf('ha');
    const hb = world.hostOf('hb');
    world.schedule(5 * MS, () => world.pause(b));
    world.schedule(20 * MS, () => world.net.cutLinks([[ha, hb]]));
    world.schedule(55 * MS, () => world.net.restoreLinks([[ha, hb]]));
    // The retransmission (200 ms RTO after the first hold at 30 ms) lands while b is still paused.
    world.schedule(400 * MS, () => world.resume(b));
    world.runUntil(5000 * MS);
    expect(world.actor<Receiver>('b')!.got).toEqual([1, 2, 3]);
  });

  it('keeps FIFO order when a message sent just before a retransmission would arrive after it', () => {
    // Constant 100 us latency: m1 (sent at 10 ms) meets the cut and is held; its retransmission is
    // due 200 ms (the minimum RTO) after that, at 210.1 ms. m2, sent at 210.05 ms, would arrive at
    // 210.15 ms: between the retransmission and its arrival. It must still come second.
    const world = new World({ seed: 3, config: resolveConfig({}), network: { sameRack: { ...DEFAULT_NETWORK.sameRack, latency: { kind: 'constant', us: 100 } } } });
    world.addHost('ha');
    world.addHost('hb');
    world.addProcess('a', 'ha', () => ({ onMessage() {}, onTimer() {}, inspect: (): Json => ({ role: 'a' }) }), { system: 'test' });
    world.addProcess('b', 'hb', () => new Receiver(), { system: 'test' });
    world.runUntil(0);
    const [a, b] = [world.pid('a'), world.pid('b')];
    const ha = world.hostOf('ha');
    const hb = world.hostOf('hb');
    world.net.cutLinks([[ha, hb]]);
    world.schedule(10 * MS, () => world.send(a, b, { type: 'Num', n: 1 } as Num, 100, false));
    world.schedule(100 * MS, () => world.net.restoreLinks([[ha, hb]]));
    world.schedule(210_050, () => world.send(a, b, { type: 'Num', n: 2 } as Num, 100, false));
    world.runUntil(2000 * MS);
    expect(world.actor<Receiver>('b')!.got).toEqual([1, 2]);
  });
});
