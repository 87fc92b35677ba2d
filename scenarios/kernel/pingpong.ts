import type { Actor, Context } from '../../sim/core/actor.ts';
import { defineScenario } from '../../sim/harness/scenario.ts';
import type { Json, Message, ProcessId } from '../../sim/core/types.ts';
import { MS } from '../../sim/core/types.ts';
import type { ConfigSchema } from '../../sim/core/config.ts';

// The kernel's reference load: every process keeps a window of pings in flight to random peers and
// answers every ping. It exercises the scheduler, the network model and stream delivery with almost
// no protocol work, so `dsim bench` measures the simulator itself.

interface Ping extends Message { readonly type: 'Ping'; readonly n: number }
interface Pong extends Message { readonly type: 'Pong'; readonly n: number }
type PingMsg = Ping | Pong;

const schema: ConfigSchema = {
  'pingpong.processes': { type: 'int', default: 8, min: 2, max: 1000, doc: 'number of processes (one per host)' },
  'pingpong.window': { type: 'int', default: 4, min: 1, max: 1000, doc: 'pings each process keeps in flight' },
  'pingpong.bytes': { type: 'int', default: 100, min: 1, doc: 'message size in bytes' },
};

class Pinger implements Actor<PingMsg, 'tick'> {
  private sent = 0;
  private received = 0;
  private readonly peers: ProcessId[];
  private readonly bytes: number;

  constructor(private readonly ctx: Context, count: number) {
    this.peers = [];
    this.bytes = ctx.config.int('pingpong.bytes');
    for (let i = 0; i < count; i++) if (`p${i}` !== ctx.name) this.peers.push(ctx.lookup(`p${i}`));
    const window = ctx.config.int('pingpong.window');
    for (let i = 0; i < window; i++) this.ping();
    ctx.setTimer(1000 * MS, 'tick');
  }

  private ping(): void {
    const to = this.ctx.rng.pick(this.peers);
    this.ctx.send(to, { type: 'Ping', n: this.sent++ }, this.bytes);
  }

  onMessage(from: ProcessId, msg: PingMsg): void {
    if (msg.type === 'Ping') this.ctx.send(from, { type: 'Pong', n: msg.n }, this.bytes);
    else {
      this.received++;
      this.ping();
    }
  }

  onTimer(): void {
    this.ctx.setTimer(1000 * MS, 'tick');
  }

  onDisconnect(): void {
    // A peer died: its pings are lost; keep the window full.
    this.ping();
  }

  inspect(): Json {
    return { sent: this.sent, received: this.received };
  }
}

export default defineScenario({
  name: 'kernel-pingpong',
  description: 'Processes ping random peers with a fixed window in flight; the simulator\'s reference load.',
  teaches: 'How messages flow through the network model: send, NIC queueing, latency, deliver.',
  systems: [],
  bench: true,
  schema,
  faultPhaseMs: 10_000,
  quiesceMs: 0,
  expect: { violations: [], why: 'no faults and no checkers: it measures the simulator' },
  build(world, cfg) {
    const n = cfg.int('pingpong.processes');
    for (let i = 0; i < n; i++) {
      world.addHost(`h${i}`, { rack: `/rack-${i % 2}` });
      world.addProcess(`p${i}`, `h${i}`, (ctx) => new Pinger(ctx, n), { system: 'kernel', role: 'pinger' });
    }
  },
  summary(world) {
    const lines = world.procNames.map((n, i) => `${n}: ${JSON.stringify(world.inspect(i as ProcessId))}`);
    return lines.join('\n');
  },
});
