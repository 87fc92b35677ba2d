import type { World } from '../world/world.ts';
import type { Checker, CheckStatus } from '../world/checker.ts';
import type { Operation } from '../world/history.ts';
import { checkLinearizable, DEFAULT_LINEARIZABILITY_BOUNDS, type LinearizabilityBounds, type Model } from './linearizability.ts';
import { registerModel } from './models.ts';

// A history checker: at the end of the run, the recorded client operations (optionally filtered)
// must be linearizable against a sequential model (a register per key by default). A bounded search
// that runs out answers 'unknown' rather than guessing.

export interface LinearizableCheckerOptions<S> {
  readonly name?: string;
  readonly model?: Model<S>;
  /** Which history operations to check (default: all). */
  readonly filter?: (op: Operation) => boolean;
  readonly bounds?: Partial<LinearizabilityBounds>;
  /**
   * Register histories whose written values are unique: drop indeterminate ('info') writes whose
   * value no read returned. Sound for such histories: no read can fall between such a write and the
   * next write (it would have returned the value), so a linearization with the write stays valid
   * without it. It keeps the search small when many writes time out. Default: true with the default
   * register model.
   */
  readonly dropUnobservedInfoWrites?: boolean;
}

export function dropUnobservedInfoWrites(ops: readonly Operation[]): Operation[] {
  const seen = new Set<string>();
  for (const o of ops) if (o.f === 'read' && o.status === 'ok') seen.add(`${o.key}\u0000${JSON.stringify(o.output)}`);
  return ops.filter((o) => !(o.f === 'write' && o.status === 'info' && !seen.has(`${o.key}\u0000${JSON.stringify(o.input)}`)));
}

export function linearizableChecker<S = unknown>(opts: LinearizableCheckerOptions<S> = {}): Checker {
  const name = opts.name ?? 'linearizable';
  return {
    name,
    kind: 'safety',
    description: 'client operations are linearizable against a register per key (Wing & Gong / Lowe search, bounded)',
    finish(world: World): CheckStatus {
      let ops = world.history.operations().filter(opts.filter ?? (() => true));
      if (opts.dropUnobservedInfoWrites ?? opts.model === undefined) ops = dropUnobservedInfoWrites(ops);
      const model = (opts.model ?? registerModel()) as Model<S>;
      const result = checkLinearizable(ops, model, { ...DEFAULT_LINEARIZABILITY_BOUNDS, ...opts.bounds });
      for (const k of result.keys) {
        if (k.valid === false) {
          world.reportViolation(name, `key ${k.key ?? '(register)'}: ${k.counterexample ?? 'history is not linearizable'}`);
        }
      }
      return result.valid === 'unknown' ? 'unknown' : result.valid ? 'pass' : 'fail';
    },
  };
}
