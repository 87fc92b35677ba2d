import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { negotiateSessionTimeout, zkSettings } from '../../../sim/zookeeper/config.ts';
import { resolveConfig } from '../../../sim/core/config.ts';
import { zkSchema } from '../../../sim/zookeeper/config.ts';
import { JuteClient } from './jute-client.ts';
import { RealZooKeeper, realZooKeeperInstalled } from './real-server.ts';
import { describeOp, generateSequence, runDsim, runReal, type Sequence } from './sequences.ts';

// The differential test against the real ZooKeeper (issue 11): Debian's zookeeper 3.8, started by
// the test on 127.0.0.1, against dsim's one-server ensemble, over DSIM_ZK_DIFF_SEQUENCES random
// client-operation sequences (default 1,000). A difference is minimized (operations dropped while
// the outcomes still differ) and printed with the sequence. In CI (CI=true) a missing ZooKeeper is
// a failure; locally the test is skipped with a message (`apt-get install zookeeper`).

const SEQUENCES = Number(process.env['DSIM_ZK_DIFF_SEQUENCES'] ?? 1000);
const SEED = Number(process.env['DSIM_ZK_DIFF_SEED'] ?? 1);
const installed = realZooKeeperInstalled();
const inCi = process.env['CI'] === 'true';
if (!installed && !inCi) console.warn('real ZooKeeper (Debian package zookeeper) is not installed: the differential test is skipped');

function firstDifference(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) if (a[i] !== b[i]) return i;
  return -1;
}

describe.skipIf(!installed && !inCi)('dsim against the real ZooKeeper 3.8', () => {
  let zk: RealZooKeeper;
  beforeAll(async () => {
    expect(installed, 'Debian package zookeeper (/usr/share/java/zookeeper.jar) is required in CI: .ci/run installs it').toBe(true);
    zk = await RealZooKeeper.start({ tickTimeMs: 2000 });
    // The port opens before the server serves: the first session waits until it does.
    await (await JuteClient.connect(zk.port, 30_000)).close();
  }, 180_000);
  afterAll(() => zk?.stop());

  it('negotiates the same session timeouts (clamped to [2, 20] x tickTime)', async () => {
    const settings = zkSettings(resolveConfig(zkSchema, { 'zookeeper.tickTime': 2000 }));
    for (const requested of [1, 3999, 4000, 4001, 6000, 30_000, 39_999, 40_000, 40_001, 100_000]) {
      const c = await JuteClient.connect(zk.port, requested);
      const real = c.timeoutMs;
      await c.close();
      expect(negotiateSessionTimeout(requested, settings), `requested ${requested} ms`).toBe(real);
    }
  }, 120_000);

  it(`agrees on ${SEQUENCES} random operation sequences (errors, names, multi results, Stat, zxid offsets, data, children, watch events)`, async () => {
    let compared = 0;
    for (let id = 1; id <= SEQUENCES; id++) {
      const seq = generateSequence(id, SEED);
      const real = await runReal(zk.port, seq);
      const sim = runDsim(seq);
      if (firstDifference(real, sim) >= 0) {
        const min = await minimize(zk.port, seq);
        const r = await runReal(zk.port, min);
        const d = runDsim(min);
        const at = firstDifference(r, d);
        expect.fail([
          `sequence ${id} (seed ${SEED}) differs; minimized to ${min.ops.length} ops:`,
          ...min.ops.map((o, i) => `  ${i}. ${describeOp(o)}`),
          `first difference at outcome line ${at}:`,
          `  real ZooKeeper: ${r[at] ?? '(none)'}`,
          `  dsim:           ${d[at] ?? '(none)'}`,
        ].join('\n'));
      }
      compared += real.length;
    }
    expect(compared).toBeGreaterThan(SEQUENCES * 5);
  }, 1_500_000);
});

let rerootCount = 0;

/** The same operations under a fresh root: the real server keeps what earlier runs created. */
function rerooted(seq: Sequence, ops: Sequence['ops'] = seq.ops): Sequence {
  const root = `/m${++rerootCount}`;
  const text = JSON.stringify(ops).split(`"${seq.root}/`).join(`"${root}/`).split(`"${seq.root}"`).join(`"${root}"`);
  return { id: seq.id, root, ops: JSON.parse(text) as Sequence['ops'] };
}

/** Drops operations (never the root create) while real ZooKeeper and dsim still disagree. */
async function minimize(port: number, seq: Sequence): Promise<Sequence> {
  let changed = true;
  while (changed) {
    changed = false;
    for (let i = seq.ops.length - 1; i >= 1; i--) {
      const trial = rerooted(seq, seq.ops.slice(0, i).concat(seq.ops.slice(i + 1)));
      if (firstDifference(await runReal(port, trial), runDsim(trial)) >= 0) {
        seq = trial;
        changed = true;
      }
    }
  }
  return rerooted(seq);
}
