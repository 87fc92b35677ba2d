import { runScenario } from '../../../sim/harness/run.ts';
import type { Scenario } from '../../../sim/harness/scenario.ts';
import { MemorySink, traceReplacer } from '../../../sim/world/trace.ts';
import type { Json, ProcessId } from '../../../sim/core/types.ts';
import type { Fault } from '../../../sim/harness/faults.ts';

// Runs a scenario with tracing on and samples every process's inspect() view at chosen simulated
// times, together with how many trace lines had been written by then. The replay engine must
// rebuild exactly these views from the trace.

export interface Sample {
  readonly tUs: number;
  /** Trace lines written when the sample was taken (header included). */
  readonly lines: number;
  readonly views: readonly Json[];
  readonly up: readonly boolean[];
  readonly paused: readonly boolean[];
}

export interface SampledRun {
  readonly text: string;
  readonly lines: readonly string[];
  readonly samples: readonly Sample[];
}

export function sampledRun(scenario: Scenario, opts: { seed: number; sampleTimesUs: readonly number[]; faults?: readonly Fault[]; overrides?: { [k: string]: string | number | boolean } }): SampledRun {
  const sink = new MemorySink();
  const samples: Sample[] = [];
  const wrapped: Scenario = {
    ...scenario,
    build(world, cfg) {
      scenario.build(world, cfg);
      for (const tUs of opts.sampleTimesUs) {
        world.schedule(tUs, () => {
          const n = world.processCount;
          const views: Json[] = [];
          const up: boolean[] = [];
          const paused: boolean[] = [];
          for (let p = 0; p < n; p++) {
            const pid = p as ProcessId;
            views.push(JSON.parse(JSON.stringify(world.inspect(pid), traceReplacer)) as Json);
            up.push(world.isUp(pid));
            paused.push(world.isPaused(pid));
          }
          samples.push({ tUs, lines: sink.lines.length, views, up, paused });
        });
      }
    },
  };
  runScenario(wrapped, { seed: opts.seed, trace: sink, ...(opts.faults !== undefined ? { faults: opts.faults } : {}), ...(opts.overrides !== undefined ? { overrides: opts.overrides } : {}) });
  return { text: sink.lines.join('\n') + '\n', lines: sink.lines, samples };
}
