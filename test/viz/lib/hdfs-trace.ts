import { runScenario } from '../../../sim/harness/run.ts';
import { MemorySink } from '../../../sim/world/trace.ts';
import deathScenario from '../../../scenarios/hdfs/hdfs-datanode-death.ts';

// A real, small HDFS trace for the viewer's tests: hdfs-datanode-death's cluster (6 DataNodes on 2
// racks, a writer of 2-block files) with the dead interval cut to 60 s (recheck 15 s), dn-1 crashed
// at 20 s, the heal at 150 s. Between its dead declaration and the heal, dn-1's blocks are
// under-replicated and re-replicated; before 20 s blocks are being written through pipelines.

export interface HdfsTrace {
  readonly text: string;
  /** Simulated time (us) of the dead declaration of dn-1. */
  readonly deadAtUs: number;
}

export function hdfsDeathTrace(): HdfsTrace {
  const sink = new MemorySink();
  runScenario({ ...deathScenario, faultPhaseMs: 150_000, quiesceMs: 10_000 }, {
    seed: 1,
    trace: sink,
    overrides: { 'hdfs.dfs.namenode.heartbeat.recheck-interval': 15_000 },
    faults: [{ atMs: 20_000, durationMs: 130_000, action: { kind: 'crash', target: 'dn-1' } }],
  });
  const dead = sink.lines.find((l) => l.includes('"hdfs-bm-datanode-dead"'));
  if (dead === undefined) throw new Error('dn-1 was never declared dead');
  const deadAtUs = (JSON.parse(dead) as { t: number }).t;
  return { text: sink.lines.join('\n') + '\n', deadAtUs };
}
