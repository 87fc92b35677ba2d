import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { runScenario } from '../../sim/harness/run.ts';
import type { TraceSink } from '../../sim/world/trace.ts';
import pingpong from '../../scenarios/kernel/pingpong.ts';

// Writes a large real trace for the viewer's performance measurement: kernel-pingpong long enough
// for about `events` trace lines, with a crash, a partition and a pause in it.
//   npx tsx test/viz/gen-big-trace.ts [events=1000000] [out=test-artifacts/traces/big-1m.jsonl]

const events = Number(process.argv[2] ?? 1_000_000);
const out = resolve(process.argv[3] ?? 'test-artifacts/traces/big-1m.jsonl');
mkdirSync(dirname(out), { recursive: true });

// About 87,000 lines per simulated second with the default 8 processes and window 4.
const LINES_PER_SEC = 87_000;
const faultPhaseMs = Math.ceil((events / LINES_PER_SEC) * 1000);
const stream = createWriteStream(out);
let lines = 0;
let buf: string[] = [];
const sink: TraceSink = {
  write(line) {
    if (lines >= events + 1 && !line.includes('"type":"end"')) return;
    lines++;
    buf.push(line);
    if (buf.length >= 10_000) {
      stream.write(buf.join('\n') + '\n');
      buf = [];
    }
  },
};
const t0 = Date.now();
runScenario({ ...pingpong, faultPhaseMs }, {
  seed: 42,
  trace: sink,
  faults: [
    { atMs: Math.round(faultPhaseMs * 0.2), durationMs: Math.round(faultPhaseMs * 0.15), action: { kind: 'crash', target: 'p1' } },
    { atMs: Math.round(faultPhaseMs * 0.45), durationMs: Math.round(faultPhaseMs * 0.2), action: { kind: 'partition', groups: [['p0', 'p2', 'p4'], ['p1', 'p3', 'p5', 'p6', 'p7']] } },
    { atMs: Math.round(faultPhaseMs * 0.7), durationMs: Math.round(faultPhaseMs * 0.05), action: { kind: 'pause', target: 'p6' } },
  ],
});
stream.end(buf.join('\n') + '\n', () => {
  console.log(`wrote ${out}: ${lines - 1} events (+ header), ${faultPhaseMs} ms simulated, in ${Date.now() - t0} ms`);
});
