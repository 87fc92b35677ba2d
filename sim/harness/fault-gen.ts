import type { DownSlot, Draw, FaultAction, FaultKind, Pool, RandomFaultKind } from './fault-kind.ts';
import { FAULT_REGISTRY, kindOf } from './fault-registry.ts';

// Random fault generation, written once. Each fault kind's definition carries its generators (the
// `random` part, fault-kind.ts), written against the Draw interface; the nemesis (nemesis.ts) runs
// them on the seeded Rng, the property kit (sim/check/fault-arbitrary.ts) on fast-check. DownSlots
// is the bookkeeping of the fault model's bounds that both use.

/** Any kind's generator (RandomGen<K> of every K fits it). */
export interface AnyRandomGen {
  readonly slot: DownSlot;
  usable(pool: Pool): boolean;
  generate(draw: Draw, pool: Pool): FaultAction;
}

/** A random generator by the name it is drawn under, with the kind it produces. */
export interface NamedGen {
  readonly kind: FaultKind;
  readonly gen: AnyRandomGen;
}

function collectGenerators(): ReadonlyMap<RandomFaultKind, NamedGen> {
  const out = new Map<RandomFaultKind, NamedGen>();
  for (const kind of Object.keys(FAULT_REGISTRY) as FaultKind[]) {
    const random: { readonly [name: string]: AnyRandomGen } = FAULT_REGISTRY[kind].random;
    for (const name of Object.keys(random) as RandomFaultKind[]) out.set(name, { kind, gen: random[name]! });
  }
  return out;
}

/** Every random generator, by the name the nemesis and the property kit list it under. */
export const RANDOM_GENERATORS: ReadonlyMap<RandomFaultKind, NamedGen> = collectGenerators();

export function randomGenerator(name: RandomFaultKind): AnyRandomGen {
  const g = RANDOM_GENERATORS.get(name);
  if (g === undefined) throw new Error(`no random generator named '${name}'`);
  return g.gen;
}

/** How a kind's generated faults count against the bounds ('none' for kinds never generated). */
export function slotOf(kind: FaultKind): DownSlot {
  for (const g of RANDOM_GENERATORS.values()) if (g.kind === kind) return g.gen.slot;
  return 'none';
}

/** The names a fault model allows. */
export interface PoolNames {
  readonly processes: readonly string[];
  readonly hosts: readonly string[];
  /** Default: all hosts. */
  readonly powerOffHosts?: readonly string[];
  /** Default: all hosts. */
  readonly diskFullHosts?: readonly string[];
}

/** Whether these names are enough for the generator at all (a partition needs two hosts...). */
export function usableWith(name: RandomFaultKind, names: PoolNames): boolean {
  return randomGenerator(name).usable({ processes: names.processes, hosts: names.hosts, powerOffHosts: names.powerOffHosts ?? names.hosts, diskFullHosts: names.diskFullHosts ?? names.hosts });
}

/**
 * The fault model's bounds over time: at most maxDown processes down or paused and hosts off at
 * once, at most maxPoweredOff hosts off, and never the same name down twice. Faults are offered in
 * start order.
 */
export class DownSlots {
  private readonly down: { readonly endMs: number; readonly power: boolean; readonly name: string }[] = [];

  constructor(private readonly maxDown: number, private readonly maxPoweredOff: number) {}

  /** Forgets the faults that ended by `atMs`. */
  advance(atMs: number): void {
    for (let i = this.down.length - 1; i >= 0; i--) if (this.down[i]!.endMs <= atMs) this.down.splice(i, 1);
  }

  /** Whether a fault taking this slot may start now (before its target is chosen). */
  admits(slot: DownSlot): boolean {
    if (slot === 'none') return true;
    if (this.down.length >= this.maxDown) return false;
    return slot !== 'power' || this.down.filter((d) => d.power).length < this.maxPoweredOff;
  }

  /** The names minus those down now (processes and power-off hosts; partitions use every host). */
  pool(names: PoolNames): Pool {
    const busy = new Set(this.down.map((d) => d.name));
    return {
      processes: names.processes.filter((p) => !busy.has(p)),
      hosts: names.hosts,
      powerOffHosts: (names.powerOffHosts ?? names.hosts).filter((h) => !busy.has(h)),
      diskFullHosts: names.diskFullHosts ?? names.hosts,
    };
  }

  isDown(name: string): boolean {
    return this.down.some((d) => d.name === name);
  }

  /** Records a fault that holds its slot until `endMs` (nothing for 'none' and 'process-instant'). */
  take(slot: DownSlot, a: FaultAction, endMs: number): void {
    if (slot === 'process' || slot === 'power') this.down.push({ endMs, power: slot === 'power', name: kindOf(a).names(a)[0]! });
  }
}
