import type { Attempt } from './job.ts';
import type { MrAppMaster } from './app-master.ts';

// DefaultSpeculator, with the runtime estimate reduced to what dsim's tasks have (a modelled
// duration, no progress curve): every retry-after-no-speculate (or retry-after-speculate once it
// launched one) it looks at the running tasks of each kind with speculation on; a task whose only
// attempt has run longer than the mean duration of the finished attempts of its kind plus
// slowtaskthreshold standard deviations, and longer than a fresh attempt would need, is a
// candidate; the one that has run longest gets a speculative attempt, while the speculative
// attempts running stay below max(minimum-allowed-tasks, cap-running x running, cap-total x all).

export class Speculator {
  private readonly durations = { map: [] as number[], reduce: [] as number[] };
  private nextUs = 0;

  constructor(private readonly am: MrAppMaster) {}

  finished(a: Attempt): void {
    this.durations[a.task.kind].push(a.endUs - a.startUs);
  }

  tick(): void {
    const now = this.am.nowUs;
    if (now < this.nextUs) return;
    const s = this.am.settings;
    const job = this.am.job;
    let running = 0;
    let speculating = 0;
    for (const t of job.tasks) {
      for (const a of job.live(t)) {
        if (a.state !== 'RUNNING') continue;
        running++;
        if (a.speculative) speculating++;
      }
    }
    const allowed = Math.max(s.specMinAllowed, Math.floor(s.specCapRunning * running), Math.floor(s.specCapTotal * job.tasks.length));
    let best: Attempt | null = null;
    let bestRun = 0;
    if (speculating < allowed) {
      for (const kind of ['map', 'reduce'] as const) {
        if (!(kind === 'map' ? s.mapSpeculative : s.reduceSpeculative)) continue;
        const d = this.durations[kind];
        if (d.length === 0) continue;
        const mean = d.reduce((x, y) => x + y, 0) / d.length;
        const sd = Math.sqrt(d.reduce((x, y) => x + (y - mean) * (y - mean), 0) / d.length);
        for (const t of kind === 'map' ? job.maps : job.reduces) {
          if (t.state === 'SUCCEEDED' || t.speculated) continue;
          const live = job.live(t);
          if (live.length !== 1 || live[0]!.state !== 'RUNNING') continue;
          const ran = now - live[0]!.startUs;
          if (ran > mean + s.specSlowThreshold * sd && ran > 2 * mean && ran > bestRun) {
            best = live[0]!;
            bestRun = ran;
          }
        }
      }
    }
    if (best === null) {
      this.nextUs = now + s.specRetryNoUs;
      return;
    }
    best.task.speculated = true;
    job.newAttempt(best.task, now, true, false);
    this.am.host.annotate(`speculating ${best.task.id}: ${best.id} has run ${Math.round(bestRun / 1000)} ms`);
    this.nextUs = now + s.specRetryYesUs;
  }

  stop(): void {
    this.nextUs = Infinity;
  }
}
