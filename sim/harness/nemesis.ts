import type { Rng } from '../core/rng.ts';
import type { Draw, RandomFaultKind } from './fault-kind.ts';
import { DownSlots, randomGenerator } from './fault-gen.ts';
import { FAULT_REGISTRY } from './fault-registry.ts';
import type { Fault } from './faults.ts';

// Random fault generation, driven by the seed. The nemesis turns a seed into an explicit fault
// schedule before the run starts, so a random run is a script like any other: it can be printed,
// replayed with --faults, and shrunk. Swarm testing (Groce et al., ISSTA 2012): each seed enables
// a random subset of the allowed fault kinds and a random intensity, so some runs hammer one kind
// of fault and others mix them.

// The actions come from the fault kinds' own generators (fault-gen.ts), the same code the property
// kit draws from with fast-check.

export type { RandomFaultKind };

export interface NemesisOptions {
  /** The fault kinds this scenario's fault model allows. */
  readonly kinds: readonly RandomFaultKind[];
  /** Processes that may be crashed, shut down, restarted or paused. */
  readonly processes: readonly string[];
  /** Hosts that may lose power, get a slow disk or a skewed clock, and take part in partitions. */
  readonly hosts: readonly string[];
  /** Hosts that may lose power (default: all `hosts`). */
  readonly powerOffHosts?: readonly string[];
  /** Hosts whose disk may fill up (default: all `hosts`). */
  readonly diskFullHosts?: readonly string[];
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

/**
 * A branch of the multiverse (`dsim fork`): the schedule is generated as for the plain seed up to
 * `atMs`, so every fault starting at or before it is the same; the first fault after it is drawn
 * anew at `atMs` plus an exponential gap (the arrivals are a Poisson process, memoryless, so the
 * branch's faults have the nemesis's distribution), and every later draw comes from the stream
 * branched with `tag`. Faults that started before `atMs` keep their durations.
 */
export interface NemesisBranch {
  readonly atMs: number;
  readonly tag: string;
}

export function generateFaults(rng: Rng, opts: NemesisOptions, faultPhaseMs: number, branch?: NemesisBranch): GeneratedSchedule {
  let kinds = opts.kinds.slice();
  let meanMs = opts.meanIntervalMs;
  if (opts.swarm === true && kinds.length > 1) {
    const subset = rng.subset(kinds, 0.5);
    kinds = subset.length > 0 ? subset : [rng.pick(kinds)];
    meanMs = meanMs * rng.pick([0.5, 1, 2]);
  }
  const faults: Fault[] = [];
  const slots = new DownSlots(opts.maxDown, opts.maxPoweredOff ?? opts.maxDown);
  const roundMs = (x: number): number => Math.round(x / 10) * 10;
  let t = roundMs(rng.exponential(meanMs));
  let branched = false;
  const maybeBranch = (): void => {
    if (branch === undefined || branched || t <= branch.atMs) return;
    branched = true;
    rng.branch(branch.tag);
    t = branch.atMs + Math.max(10, roundMs(rng.exponential(meanMs)));
  };
  maybeBranch();
  while (t < faultPhaseMs && kinds.length > 0) {
    slots.advance(t);
    const gen = randomGenerator(rng.pick(kinds));
    const durationMs = roundMs(rng.uniform(opts.durationMsMin, opts.durationMsMax));
    // The bound is checked before the target is drawn, and a pool without the names a generator
    // needs draws nothing: what the seed's stream yields does not depend on how a check is written.
    const pool = slots.pool(opts);
    if (slots.admits(gen.slot) && gen.usable(pool)) {
      const action = gen.generate(rng satisfies Draw, pool);
      slots.take(gen.slot, action, t + durationMs);
      faults.push(FAULT_REGISTRY[action.kind].duration === 'none' ? { atMs: t, action } : { atMs: t, durationMs, action });
    }
    t += Math.max(10, roundMs(rng.exponential(meanMs)));
    maybeBranch();
  }
  return { faults, enabledKinds: kinds };
}
