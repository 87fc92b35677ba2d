import type { Actor, Context } from '../core/actor.ts';
import type { Json, ProcessId } from '../core/types.ts';
import { MS } from '../core/types.ts';
import type { ToClient } from './messages.ts';
import { FINAL_APP_STATES } from './rm-state.ts';
import type { Submission } from './workload.ts';

// A YARN client (YarnClientImpl) submitting applications at their submission times:
// getNewApplication, then submitApplication (resent until answered: the RM treats a second
// submission of the same id as the first), then getApplicationReport every poll interval until the
// application leaves SUBMITTED, then every report interval until it is FINISHED, FAILED or KILLED.
// Each application is one operation in the run's history: invoked at submission, completed with
// its final state.

type ClientTimer = { readonly t: 'submit'; readonly i: number } | { readonly t: 'retry'; readonly i: number } | { readonly t: 'poll'; readonly i: number };

interface Tracked {
  readonly sub: Submission;
  appId: string | null;
  phase: 'waiting' | 'new' | 'submitting' | 'accepted-wait' | 'running' | 'done';
  opId: number;
  state: string;
  finalStatus: string;
}

export interface ClientOptions {
  readonly submissions: readonly Submission[];
  readonly reportIntervalMs: number;
}

export class YarnClient implements Actor<ToClient, ClientTimer> {
  private readonly rm: ProcessId;
  private readonly tracked: Tracked[];
  private readonly byApp = new Map<string, number>();
  private readonly pollUs: number;
  private readonly retryUs: number;
  finished = 0;

  constructor(readonly ctx: Context, readonly opts: ClientOptions) {
    this.rm = ctx.lookup('rm');
    this.pollUs = ctx.config.int('yarn.client.application-client-protocol.poll-interval-ms') * MS;
    this.retryUs = ctx.config.int('yarn.client.failover-retry-interval-ms') * MS;
    this.tracked = opts.submissions.map((sub) => ({ sub, appId: null, phase: 'waiting', opId: -1, state: 'NEW', finalStatus: 'UNDEFINED' }));
    // A restarted client does not resubmit (its applications live on in the RM).
    if (ctx.incarnation > 1) return;
    const now = ctx.nowUs();
    this.tracked.forEach((t, i) => ctx.setTimer(Math.max(0, t.sub.atMs * MS - now), { t: 'submit', i }));
  }

  onTimer(tag: ClientTimer): void {
    const t = this.tracked[tag.i]!;
    switch (tag.t) {
      case 'submit':
        t.opId = this.ctx.invoke('submit', t.sub.spec.queue, t.sub.spec.name);
        t.phase = 'new';
        return this.step(tag.i);
      case 'retry':
        return this.step(tag.i);
      case 'poll':
        // Polls on its own clock: a lost report is simply asked for again.
        if (t.phase !== 'accepted-wait' && t.phase !== 'running') return;
        this.ctx.send(this.rm, { type: 'GetApplicationReport', appId: t.appId! }, 64);
        this.ctx.setTimer(t.phase === 'running' ? this.opts.reportIntervalMs * MS : this.pollUs, tag);
        return;
    }
  }

  /** Sends what the application's phase calls for and arms the resend timer. */
  private step(i: number): void {
    const t = this.tracked[i]!;
    if (t.phase === 'new') this.ctx.send(this.rm, { type: 'GetNewApplication', requestId: i }, 48);
    else if (t.phase === 'submitting') this.ctx.send(this.rm, { type: 'SubmitApplication', appId: t.appId!, spec: t.sub.spec }, 256 + 64 * t.sub.spec.tasks.length);
    else return;
    this.ctx.setTimer(this.retryUs, { t: 'retry', i });
  }

  onMessage(_from: ProcessId, m: ToClient): void {
    switch (m.type) {
      case 'GetNewApplicationResponse': {
        const t = this.tracked[m.requestId];
        if (t === undefined || t.phase !== 'new') return;
        t.appId = m.appId;
        this.byApp.set(m.appId, m.requestId);
        t.phase = 'submitting';
        return this.step(m.requestId);
      }
      case 'SubmitApplicationResponse': {
        const i = this.byApp.get(m.appId);
        const t = i === undefined ? undefined : this.tracked[i];
        if (t === undefined || t.phase !== 'submitting') return;
        t.phase = 'accepted-wait';
        this.ctx.send(this.rm, { type: 'GetApplicationReport', appId: m.appId }, 64);
        this.ctx.setTimer(this.pollUs, { t: 'poll', i: i! });
        return;
      }
      case 'ApplicationReport': {
        const i = this.byApp.get(m.appId);
        const t = i === undefined ? undefined : this.tracked[i];
        if (t === undefined || t.phase === 'done') return;
        t.state = m.state;
        t.finalStatus = m.finalStatus;
        if (FINAL_APP_STATES.has(m.state)) {
          t.phase = 'done';
          this.finished++;
          this.ctx.complete(t.opId, m.state === 'FINISHED' && m.finalStatus === 'SUCCEEDED' ? 'ok' : 'fail', { appId: m.appId, state: m.state, finalStatus: m.finalStatus }, m.diagnostics === '' ? undefined : m.diagnostics);
          return;
        }
        if (t.phase === 'accepted-wait' && m.state !== 'SUBMITTED' && m.state !== 'NEW') t.phase = 'running';
        return;
      }
    }
  }

  inspect(): Json {
    let live = 0;
    for (const t of this.tracked) if (t.phase !== 'waiting' && t.phase !== 'done') live++;
    return { role: 'yarn-client', submitted: this.tracked.filter((t) => t.phase !== 'waiting').length, live, finished: this.finished };
  }
}
