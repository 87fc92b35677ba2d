import type { Rng } from '../core/rng.ts';
import type { Fault, FaultAction } from './faults.ts';

// Random fault generation, driven by the seed. The nemesis turns a seed into an explicit fault
// schedule before the run starts, so a random run is a script like any other: it can be printed,
// replayed with --faults, and shrunk. Swarm testing (Groce et al., ISSTA 2012): each seed enables
// a random subset of the allowed fault kinds and a random intensity, so some runs hammer one kind
// of fault and others mix them.

export type RandomFaultKind =
  | 'crash' | 'restart' | 'shutdown' | 'pause' | 'power-off' | 'partition' | 'isolate' | 'cut' | 'bridge' | 'clog'
  | 'slow-disk' | 'clock';

export interface NemesisOptions {
  /** The fault kinds this scenario's fault model allows. */
  readonly kinds: readonly RandomFaultKind[];
  /** Processes that may be crashed, shut down, restarted or paused. */
  readonly processes: readonly string[];
  /** Hosts that may lose power, get a slow disk or a skewed clock, and take part in partitions. */
  readonly hosts: readonly string[];
  /** Hosts that may lose power (default: all `hosts`). */
  readonly powerOffHosts?: readonly string[];
  /** Mean time between fault starts. */
  readonly meanIntervalMs: number;
  readonly durationMsMin: number;
  readonly durationMsMax: number;
  /** At most this many processes down or paused (and hosts powered off) at the same time. */
  readonly maxDown: number;
  /** At most this many hosts without power at the same time (e.g. a minority for ZooKeeper). */
  readonly maxPoweredOff?: number;
  /** Enable a random subset of kinds and a random intensity per seed. */
  readonly swarm?: boolean;
}

export interface GeneratedSchedule {
  readonly faults: Fault[];
  readonly enabledKinds: RandomFaultKind[];
}

interface Interval {
  readonly endMs: number;
  readonly power: boolean;
  readonly name: string;
}

export function generateFaults(rng: Rng, opts: NemesisOptions, faultPhaseMs: number): GeneratedSchedule {
  let kinds = opts.kinds.slice();
  let meanMs = opts.meanIntervalMs;
  if (opts.swarm === true && kinds.length > 1) {
    const subset = rng.subset(kinds, 0.5);
    kinds = subset.length > 0 ? subset : [rng.pick(kinds)];
    meanMs = meanMs * rng.pick([0.5, 1, 2]);
  }
  const faults: Fault[] = [];
  const down: Interval[] = [];
  const roundMs = (x: number): number => Math.round(x / 10) * 10;
  let t = roundMs(rng.exponential(meanMs));
  while (t < faultPhaseMs && kinds.length > 0) {
    for (let i = down.length - 1; i >= 0; i--) if (down[i]!.endMs <= t) down.splice(i, 1);
    const kind = rng.pick(kinds);
    const durationMs = roundMs(rng.uniform(opts.durationMsMin, opts.durationMsMax));
    const action = pickAction(rng, kind, opts, down, t + durationMs);
    if (action !== null) faults.push(kind === 'restart' ? { atMs: t, action } : { atMs: t, durationMs, action });
    t += Math.max(10, roundMs(rng.exponential(meanMs)));
  }
  return { faults, enabledKinds: kinds };
}

function pickAction(rng: Rng, kind: RandomFaultKind, opts: NemesisOptions, down: Interval[], endMs: number): FaultAction | null {
  const busy = new Set(down.map((d) => d.name));
  const canDown = down.length < opts.maxDown;
  switch (kind) {
    case 'crash': case 'shutdown': case 'pause': case 'restart': {
      if (!canDown) return null;
      const free = opts.processes.filter((p) => !busy.has(p));
      if (free.length === 0) return null;
      const target = rng.pick(free);
      if (kind !== 'restart') down.push({ endMs, power: false, name: target });
      return { kind, target };
    }
    case 'power-off': {
      const powered = down.filter((d) => d.power).length;
      if (!canDown || powered >= (opts.maxPoweredOff ?? opts.maxDown)) return null;
      const free = (opts.powerOffHosts ?? opts.hosts).filter((h) => !busy.has(h));
      if (free.length === 0) return null;
      const target = rng.pick(free);
      down.push({ endMs, power: true, name: target });
      return { kind: 'power-off', target };
    }
    case 'partition': {
      if (opts.hosts.length < 2) return null;
      const shuffled = rng.shuffle(opts.hosts);
      const cut = rng.int(1, Math.floor(shuffled.length / 2));
      return { kind: 'partition', groups: [shuffled.slice(0, cut), shuffled.slice(cut)] };
    }
    case 'bridge': {
      if (opts.hosts.length < 3) return null;
      // Two sides that cannot talk, and one host in the middle that talks to both.
      const shuffled = rng.shuffle(opts.hosts);
      const rest = shuffled.slice(1);
      const cut = rng.int(1, rest.length - 1);
      return { kind: 'partition', groups: [rest.slice(0, cut), rest.slice(cut)] };
    }
    case 'isolate':
      return opts.hosts.length < 2 ? null : { kind: 'isolate', target: rng.pick(opts.hosts) };
    case 'cut': {
      if (opts.hosts.length < 2) return null;
      const [a, b] = rng.shuffle(opts.hosts);
      return { kind: 'cut', from: [a!], to: [b!] };
    }
    case 'clog': {
      if (opts.hosts.length < 2) return null;
      const [a, b] = rng.shuffle(opts.hosts);
      return { kind: 'clog', a: a!, b: b! };
    }
    case 'slow-disk':
      return { kind: 'slow-disk', target: rng.pick(opts.hosts), factor: rng.pick([5, 20, 100]) };
    case 'clock':
      return { kind: 'clock', target: rng.pick(opts.hosts), offsetMs: rng.int(-2000, 2000), driftPpm: rng.pick([-200, 0, 200]) };
  }
}
