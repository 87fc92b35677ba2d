import type { FaultAction, FaultKind, FaultKindDef, FaultRegistry } from './fault-kind.ts';
import { clog, cut, heal, isolate, partition } from './kinds/network.ts';
import { clock, corrupt, diskError, diskFull, slowDisk } from './kinds/host.ts';
import { crash, pause, powerOff, restart, shutdown } from './kinds/process.ts';

// The one registry of fault kinds. Its type is a mapped type over FaultKind (fault-kind.ts): a kind
// added to the FaultAction union and missing here, or a definition missing one of its parts, does
// not compile. Everything that handles faults goes through it: the script parser and formatter and
// applyFault (faults.ts), the nemesis (nemesis.ts), the property kit's arbitraries
// (sim/check/fault-arbitrary.ts) and the shrinker (sim/check/shrink.ts). To add a kind, see
// docs/faults.md.

export const FAULT_REGISTRY: FaultRegistry = {
  crash,
  restart,
  shutdown,
  pause,
  'power-off': powerOff,
  partition,
  isolate,
  cut,
  heal,
  clog,
  'slow-disk': slowDisk,
  'disk-full': diskFull,
  'disk-error': diskError,
  corrupt,
  clock,
};

/** Every fault kind, in the registry's order (the order of `dsim` help and error messages). */
export const FAULT_KINDS: readonly FaultKind[] = Object.keys(FAULT_REGISTRY) as FaultKind[];

export function isFaultKind(verb: string): verb is FaultKind {
  return Object.hasOwn(FAULT_REGISTRY, verb);
}

/**
 * The definition of an action's kind. Typed for the action's own kind K: called with a FaultAction
 * (K = FaultKind), the definition accepts any action, and callers hand it only the action whose
 * kind selected it.
 */
export function kindOf<K extends FaultKind>(a: { readonly kind: K }): FaultKindDef<K> {
  return FAULT_REGISTRY[a.kind];
}

export type { FaultAction };
