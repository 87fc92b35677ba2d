import { MS } from '../../../sim/core/types.ts';
import type { ProcessId } from '../../../sim/core/types.ts';
import { applyFault, parseDuration, parseFault } from '../../../sim/harness/faults.ts';
import type { Envelope } from '../../../sim/world/transport.ts';
import type { World } from '../../../sim/world/world.ts';

// A deterministic driver of a World for interaction scripts. The world runs as in a scenario (seeded
// network, disks, timers); the script advances simulated time, applies faults with the fault-script
// vocabulary, and may take messages off chosen links to hand them over one at a time.

export interface Command {
  readonly verb: string;
  /** Positional words after the verb (key=value words excluded). */
  readonly args: readonly string[];
  readonly kv: ReadonlyMap<string, string>;
  /** The command text after the verb. */
  readonly rest: string;
}

export function parseCommand(text: string): Command {
  const [verb = '', ...words] = text.split(/\s+/);
  const args: string[] = [];
  const kv = new Map<string, string>();
  for (const w of words) {
    const eq = w.indexOf('=');
    if (eq > 0) kv.set(w.slice(0, eq), w.slice(eq + 1));
    else args.push(w);
  }
  return { verb, args, kv, rest: text.slice(verb.length).trim() };
}

/** Commands a system adds to the driver: each writes its output lines to `out`. */
export type Handler = (c: Command, out: string[]) => void;

interface Hold {
  readonly from: ProcessId;
  readonly to: ProcessId;
  /** Message types held; null: every type. */
  readonly types: ReadonlySet<string> | null;
}

const FAULT_VERBS = new Set(['crash', 'restart', 'shutdown', 'pause', 'power-off', 'partition', 'isolate', 'cut', 'heal', 'clog', 'slow-disk', 'disk-full', 'disk-error', 'corrupt', 'clock']);

export class Driver {
  private w: World | null = null;
  private readonly holds: Hold[] = [];
  private readonly held: Envelope[] = [];
  private readonly watches: Hold[] = [];
  private readonly seen: Envelope[] = [];
  private violationsShown = 0;
  private readonly handlers = new Map<string, Handler>();
  /** How a system prints a message in `held` and `deliver` lines. */
  describe: (env: Envelope) => string = (env) => env.msg.type;

  constructor() {
    this.on('run', (c, out) => this.cmdRun(c, out));
    this.on('start', (c) => this.world.start(this.pid(c.args[0])));
    this.on('resume', (c) => this.world.resume(this.pid(c.args[0])));
    this.on('power-on', (c) => this.world.powerOn(this.world.hostOf(need(c.args[0], 'power-on <host>'))));
    this.on('hold', (c) => this.cmdHold(c));
    // watch a -> b [Types]: note those messages as they are sent (they travel as usual); `sent` prints
    // and forgets what was noted.
    this.on('watch', (c) => this.watches.push(this.link(c.rest, 'watch')));
    this.on('sent', (_c, out) => {
      for (const e of this.seen) out.push(this.line(e));
      if (this.seen.length === 0) out.push('none');
      this.seen.length = 0;
    });
    this.on('release', (c, out) => this.cmdRelease(c, out));
    this.on('deliver', (c, out) => this.cmdDeliver(c, out, true));
    // unhold a -> b: lifts the holds on the link and forgets what they held.
    this.on('unhold', (c, out) => {
      const { from, to } = this.link(c.rest, 'unhold');
      for (let i = this.holds.length - 1; i >= 0; i--) if (this.holds[i]!.from === from && this.holds[i]!.to === to) this.holds.splice(i, 1);
      for (const e of this.held.filter((x) => x.from === from && x.to === to)) {
        this.held.splice(this.held.indexOf(e), 1);
        out.push(`drop ${this.line(e)}`);
      }
    });
    this.on('drop', (c, out) => this.cmdDeliver(c, out, false));
    this.on('held', (_c, out) => {
      for (const e of this.held) out.push(this.line(e));
      if (this.held.length === 0) out.push('none');
    });
    // check [since=D]: the end-of-run part of every attached checker, now, as if the faults had been
    // healed D ago (default: now) (new violations print as usual).
    this.on('check', (c, out) => {
      const now = this.world.nowUs;
      const since = c.kv.get('since');
      const healUs = since === undefined ? now : now - Number(since.replace(/s$/, '')) * 1e6;
      for (const ck of this.world.checkers) ck.finish?.(this.world, { healUs, endUs: now });
      if (this.violationsShown === this.world.violations.length) out.push('no violation');
    });
    this.on('violations', (_c, out) => {
      for (const v of this.world.violations) out.push(`${v.checker}: ${v.message}`);
      if (this.world.violations.length === 0) out.push('none');
    });
  }

  on(verb: string, h: Handler): void {
    this.handlers.set(verb, h);
  }

  get world(): World {
    if (this.w === null) throw new Error('no world yet: the script must start with a command that builds one');
    return this.w;
  }

  /** Takes the world the script drives; every send now passes through the hold rules. */
  attach(world: World): void {
    this.w = world;
    this.holds.length = 0;
    this.held.length = 0;
    this.watches.length = 0;
    this.seen.length = 0;
    this.violationsShown = 0;
    world.transport.interceptor = (env) => {
      if (this.watches.some((h) => matches(h, env))) this.seen.push(env);
      if (!this.holds.some((h) => matches(h, env))) return false;
      this.held.push(env);
      return true;
    };
  }

  pid(name: string | undefined): ProcessId {
    return this.world.pid(need(name, 'a process name'));
  }

  /** Runs one command and returns its output (new checker violations included). */
  exec(text: string): string {
    const c = parseCommand(text);
    const out: string[] = [];
    const h = this.handlers.get(c.verb);
    if (h !== undefined) h(c, out);
    else if (FAULT_VERBS.has(c.verb)) {
      applyFault(this.world, parseFault(`at 0s ${c.verb} ${c.rest}`, 'script'));
      this.settle();
    } else throw new Error(`unknown command '${c.verb}'`);
    if (this.w !== null) {
      const vs = this.w.violations;
      for (; this.violationsShown < vs.length; this.violationsShown++) out.push(`violation ${vs[this.violationsShown]!.checker}: ${vs[this.violationsShown]!.message}`);
    }
    return out.length === 0 ? 'ok' : out.join('\n');
  }

  /** Runs what is due now (handlers of delivered messages, restarts). */
  settle(): void {
    this.world.runUntil(this.world.nowUs);
  }

  /** Runs until `done` holds or `limitMs` passes; returns whether it held. */
  runUntil(done: () => boolean, limitMs: number): boolean {
    const end = this.world.nowUs + limitMs * MS;
    this.world.runUntil(end, done);
    return done();
  }

  private cmdRun(c: Command, out: string[]): void {
    const ms = parseDuration(need(c.args[0], 'run <duration>'), 'run');
    this.world.runUntil(this.world.nowUs + ms * MS);
    if (c.kv.get('time') === 'show') out.push(`t=${this.world.nowUs / MS} ms`);
  }

  /** `hold a -> b [Type,...]`: messages from a to b (of those types) wait for `deliver`. */
  private cmdHold(c: Command): void {
    const { from, to, types } = this.link(c.rest, 'hold');
    this.holds.push({ from, to, types });
  }

  /** `release a -> b`: lifts the holds on that link and delivers what they held, in order. */
  private cmdRelease(c: Command, out: string[]): void {
    const { from, to } = this.link(c.rest, 'release');
    for (let i = this.holds.length - 1; i >= 0; i--) if (this.holds[i]!.from === from && this.holds[i]!.to === to) this.holds.splice(i, 1);
    const mine = this.held.filter((e) => e.from === from && e.to === to);
    for (const e of mine) {
      this.held.splice(this.held.indexOf(e), 1);
      out.push(`deliver ${this.line(e)}`);
      this.world.transport.deliverNow(e);
    }
    this.settle();
  }

  /** `deliver a -> b [Type] [n=N]` (or `drop`): the first N held messages of that link (and type). */
  private cmdDeliver(c: Command, out: string[], deliver: boolean): void {
    const { from, to, types } = this.link(c.rest, c.verb);
    const all = c.kv.get('n') === 'all';
    let n = all ? Infinity : Number(c.kv.get('n') ?? '1');
    for (let i = 0; i < this.held.length && n > 0;) {
      const e = this.held[i]!;
      if (e.from !== from || e.to !== to || (types !== null && !types.has(e.msg.type))) {
        i++;
        continue;
      }
      this.held.splice(i, 1);
      n--;
      out.push(`${deliver ? 'deliver' : 'drop'} ${this.line(e)}`);
      if (deliver) {
        this.world.transport.deliverNow(e);
        this.settle();
      }
    }
    if (n > 0 && !all) out.push(`nothing ${deliver ? 'to deliver' : 'to drop'}${types === null ? '' : ` of type ${[...types].join(',')}`}`);
  }

  private line(e: Envelope): string {
    return `${this.world.procNames[e.from]} -> ${this.world.procNames[e.to]}: ${this.describe(e)}`;
  }

  /** `a -> b [Type,...] [key=value...]` */
  private link(text: string, verb: string): { from: ProcessId; to: ProcessId; types: ReadonlySet<string> | null } {
    const m = /^(\S+)\s*->\s*(\S+)(?:\s+([A-Za-z][\w,]*))?/.exec(text);
    if (m === null) throw new Error(`${verb} needs 'a -> b [Type,...]', got '${text}'`);
    return { from: this.pid(m[1]), to: this.pid(m[2]), types: m[3] === undefined ? null : new Set(m[3].split(',')) };
  }
}

function matches(h: Hold, env: Envelope): boolean {
  return env.from === h.from && env.to === h.to && (h.types === null || h.types.has(env.msg.type));
}

export function need(v: string | undefined, what: string): string {
  if (v === undefined || v === '') throw new Error(`missing argument: ${what}`);
  return v;
}
