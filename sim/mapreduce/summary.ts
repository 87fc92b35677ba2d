import type { World } from '../world/world.ts';
import { jobsIn } from './cluster.ts';

// The end of a run in the idiom of `mapred job -status <job id>`: the job's state, completion and
// its Job Counters with Hadoop's display names (JobCounter.properties).

export function mapreduceSummary(world: World): string {
  const jobs = jobsIn(world);
  if (jobs.length === 0) return 'mapred job -status: no job ended';
  const last = new Map<string, (typeof jobs)[number]>();
  for (const j of jobs) last.set(j.job, j);
  const out: string[] = [];
  for (const j of last.values()) {
    const c = j.counters;
    const n = (k: string): number => c[k] ?? 0;
    const done = j.state === 'SUCCEEDED' ? 1 : 0;
    out.push(
      `Job: ${j.job}`,
      `Job state: ${j.state}`,
      `AM attempt: ${j.amAttempt}`,
      `Output: hdfs://nn:8020${j.outputDir}`,
      `map() completion: ${done.toFixed(1)}`,
      `reduce() completion: ${done.toFixed(1)}`,
      ...(j.diagnostics !== '' ? [`Diagnostics: ${j.diagnostics.replace(/\n/g, ' ')}`] : []),
      'Counters:',
      '\tJob Counters ',
      `\t\tFailed map tasks=${n('failedMaps')}`,
      `\t\tFailed reduce tasks=${n('failedReduces')}`,
      `\t\tKilled map tasks=${n('killedMaps')}`,
      `\t\tKilled reduce tasks=${n('killedReduces')}`,
      `\t\tLaunched map tasks=${n('launchedMaps')}`,
      `\t\tLaunched reduce tasks=${n('launchedReduces')}`,
      `\t\tOther local map tasks=${n('otherLocal')}`,
      `\t\tData-local map tasks=${n('dataLocal')}`,
      `\t\tRack-local map tasks=${n('rackLocal')}`,
      `\t\tSpeculative attempts=${n('speculative')}`,
      `\t\tRecovered tasks=${n('recovered')}`,
      `\t\tMaps re-run after fetch failures=${n('fetchFailureReruns')}`,
      `\tTasks: ${n('maps')} maps, ${n('reduces')} reduces`,
    );
  }
  return out.join('\n');
}
