import type { Json, ProcessId } from '../../core/types.ts';
import type { Checker, CheckStatus, RunPhases } from '../../world/checker.ts';
import type { World } from '../../world/world.ts';
import { PROBE_DIR } from '../client/client.ts';

// hdfs-liveness (issue 12): after the heal the cluster serves again within a bound. The NameNode is
// up and out of safe mode at the end, and a probe client (ClientOptions.probe, started at the heal)
// wrote a file under /probe (create, pipeline, close: complete returned true, so the NameNode was out
// of safe mode and its last block minimally replicated) and read it back, both completed within
// `withinMs` of the heal. When the run ends before the bound and nothing succeeded, the verdict is
// unknown.

const NAME = 'hdfs-liveness';

export interface HdfsLivenessOptions {
  readonly withinMs: number;
  readonly namenode?: string;
}

export function hdfsLivenessChecker(opts: HdfsLivenessOptions): Checker {
  const nnName = opts.namenode ?? 'nn';
  return {
    name: NAME,
    kind: 'liveness',
    description: `after the heal, safe mode is left and a write and its read-back succeed within ${opts.withinMs} ms`,
    finish(world: World, run: RunPhases): CheckStatus {
      const deadlineUs = run.healUs + opts.withinMs * 1000;
      const problems: string[] = [];
      const nn = world.hasProcess(nnName) ? world.pid(nnName) as ProcessId : null;
      if (nn === null || !world.isUp(nn)) problems.push(`${nnName} is down at the end`);
      else {
        const v = world.inspect(nn) as { [k: string]: Json } | null;
        const sm = v?.['safeMode'];
        if (sm !== 'OFF') problems.push(`${nnName} is still in safe mode at the end (${JSON.stringify(sm ?? null)})`);
      }
      const ops = world.history.operations().filter((o) => o.key !== null && o.key.startsWith(`${PROBE_DIR}/`) && o.invokeUs >= run.healUs);
      const writes = ops.filter((o) => o.f === 'write');
      const good = writes.find((w) => w.status === 'ok' && ops.some((r) => r.f === 'verify' && r.key === w.key && r.status === 'ok'));
      const readOf = (path: string) => ops.find((r) => r.f === 'verify' && r.key === path && r.status === 'ok')!;
      if (good === undefined) {
        if (run.endUs < deadlineUs && problems.length === 0) return 'unknown';
        const last = ops[ops.length - 1];
        problems.push(writes.length === 0 ? 'no probe write was attempted after the heal'
          : `no probe write and read-back succeeded (${writes.length} attempts; the last: ${last?.f} ${last?.key} ${last?.status}${last?.error != null ? `: ${last.error}` : ''})`);
      } else {
        const doneUs = Math.max(good.completeUs, readOf(good.key!).completeUs);
        if (doneUs > deadlineUs) problems.push(`the first probe write and read-back succeeded ${((doneUs - run.healUs) / 1e6).toFixed(1)} s after the heal`);
      }
      if (problems.length === 0) return 'pass';
      world.reportViolation(NAME, `not serving within ${opts.withinMs / 1000} s of the heal at ${(run.healUs / 1e6).toFixed(3)} s: ${problems.join('; ')}`);
      return 'fail';
    },
  };
}
