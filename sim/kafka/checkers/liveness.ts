import type { Checker, CheckStatus, RunPhases } from '../../world/checker.ts';
import type { World } from '../../world/world.ts';
import type { FinalPartition } from '../cluster.ts';

// kafka-liveness: after heal, within the bound, every partition has a leader and a write to it is
// acknowledged (the producers keep writing through the quiesce phase; with acks=all this is the
// acks=all probe of the issue).

export function livenessChecker(opts: { readonly boundMs: number; readonly partitions: readonly string[]; readonly read: (world: World) => readonly FinalPartition[] }): Checker {
  return {
    name: 'kafka-liveness',
    kind: 'liveness',
    description: 'after heal every partition has a leader and an acknowledged write within the bound',
    finish(w: World, run: RunPhases): CheckStatus | void {
      const deadlineUs = Math.min(run.endUs, run.healUs + opts.boundMs * 1000);
      const okAfterHeal = new Set<string>();
      for (const e of w.history.all()) {
        if (e.type === 'ok' && e.f === 'send' && e.key !== null && e.timeUs >= run.healUs && e.timeUs <= deadlineUs) okAfterHeal.add(e.key);
      }
      const finals = new Map(opts.read(w).map((f) => [f.tp, f]));
      const noLeader = opts.partitions.filter((tp) => finals.get(tp)?.leader === null);
      const noWrite = opts.partitions.filter((tp) => !okAfterHeal.has(tp));
      if (noLeader.length > 0 || noWrite.length > 0) {
        w.reportViolation('kafka-liveness', `within ${opts.boundMs} ms of heal: ${noLeader.length > 0 ? `no leader for ${noLeader.join(',')}; ` : ''}${noWrite.length > 0 ? `no acknowledged write to ${noWrite.join(',')}` : ''}`);
      }
    },
  };
}
