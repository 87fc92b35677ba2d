import { diffJson, TRACE_FORMAT, TRACE_VERSION, traceReplacer, type TraceHeader } from '../../../sim/world/trace.ts';
import type { Json } from '../../../sim/core/types.ts';

// Writes synthetic traces the way the world does (sim/world/world.ts): a header, then event lines
// with seq and t, state lines as a full view on start and diffJson patches after. Tests use it to
// build small stories (a Kafka leader failover, an unclean election, a ZooKeeper election) that
// follow docs/inspect-views.md before the real systems exist.

export interface SynthProcess {
  readonly name: string;
  readonly host: string;
  readonly system: string;
  readonly role: string;
}

export class TraceWriter {
  readonly lines: string[] = [];
  private seq = 0;
  private tUs = 0;
  private nextId = 1;
  private readonly lastView = new Map<string, Json>();

  constructor(scenario: string, hosts: readonly { name: string; rack: string }[], processes: readonly SynthProcess[], config: { [key: string]: Json } = {}, faultScript = '') {
    const header: TraceHeader = {
      format: TRACE_FORMAT,
      version: TRACE_VERSION,
      dsimVersion: '0.1.0',
      scenario,
      seed: 1,
      timeUnit: 'us',
      config,
      hosts,
      processes,
      faultScript,
    };
    this.lines.push(JSON.stringify(header));
  }

  /** Moves simulated time forward (never back) and starts a new world event. */
  at(tUs: number): this {
    if (tUs < this.tUs) throw new Error(`synthetic trace: time goes back (${tUs} < ${this.tUs})`);
    this.tUs = tUs;
    this.seq++;
    return this;
  }

  get now(): number {
    return this.tUs;
  }

  line(fields: { type: string; [key: string]: Json | undefined }): void {
    this.lines.push(JSON.stringify({ seq: this.seq, t: this.tUs, ...fields }, traceReplacer));
  }

  start(p: string, incarnation = 1): void {
    this.lastView.delete(p);
    this.line({ type: 'start', p, incarnation });
  }

  crash(p: string, reason = 'nemesis'): void {
    this.lastView.delete(p);
    this.line({ type: 'crash', p, reason });
  }

  /** Records the process's view: a full view the first time, a patch afterwards (nothing if unchanged). */
  state(p: string, view: Json): void {
    const v = JSON.parse(JSON.stringify(view)) as Json;
    const prev = this.lastView.get(p);
    this.lastView.set(p, v);
    if (prev === undefined) {
      this.line({ type: 'state', p, view: v });
      return;
    }
    const patch = diffJson(prev, v);
    if (patch.length > 0) this.line({ type: 'state', p, patch: patch as unknown as Json });
  }

  send(p: string, to: string, msg: { type: string; [k: string]: Json }, bytes = 100): number {
    const id = this.nextId++;
    this.line({ type: 'send', p, to, id, msg, bytes, mode: 'stream' });
    return id;
  }

  deliver(p: string, from: string, id: number): void {
    this.line({ type: 'deliver', p, from, id });
  }

  drop(p: string, from: string, id: number, reason: string): void {
    this.line({ type: 'drop', p, from, id, reason });
  }

  timer(p: string, tag: Json): void {
    this.line({ type: 'timer', p, tag });
  }

  note(p: string, text: string): void {
    this.line({ type: 'note', p, text });
  }

  violation(checker: string, message: string): void {
    this.line({ type: 'violation', checker, message });
  }

  op(p: string, opId: number, phase: 'invoke' | 'ok' | 'fail' | 'info', f: string, key: string | null, value: Json, error?: string): void {
    this.line({ type: 'op', p, opId, phase, f, key, value, ...(error !== undefined ? { error } : {}) });
  }

  partition(cuts: [string, string][], desc: string): void {
    this.line({ type: 'partition', cuts, desc });
  }

  heal(desc: string, cuts?: [string, string][]): void {
    this.line(cuts !== undefined ? { type: 'heal', desc, cuts } : { type: 'heal', desc });
  }

  phase(name: string): void {
    this.line({ type: 'phase', name });
  }

  end(): void {
    this.line({ type: 'end', traceHash: 'synthetic0000000', events: this.seq, simulatedMs: this.tUs / 1000 });
  }

  text(): string {
    return this.lines.join('\n') + '\n';
  }
}
