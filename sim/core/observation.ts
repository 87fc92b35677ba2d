import type { Json } from './types.ts';

// Observations: what protocol code tells the checkers ("zk-leader-established", "kafka-hw"), typed
// end to end. Each system declares its kinds and their data in its own folder by adding them to the
// `Observations` map below through TypeScript declaration merging:
//
//   // sim/kafka/observations.ts
//   export interface KafkaObservations {
//     'kafka-hw': { readonly tp: string; readonly broker: number; readonly hw: number; readonly leaderEpoch: number };
//   }
//   declare module '../core/observation.ts' {
//     interface Observations extends KafkaObservations {}
//   }
//
// Then `ctx.observe('kafka-hw', {...})` checks the data at the emit site, and
// `world.onObserve('kafka-hw', (pid, d) => d.hw)` hands the checker typed data: no casts, and a
// misspelt kind does not compile. Kinds start with the system's short name (`zk-`, `kafka-`, `hdfs-`,
// `yarn-`) so two systems never declare the same kind. Data shapes are type literals of JSON values
// (they go into the trace as they are), not interfaces, so that they are assignable to Json.
//
// Core declares the map empty; it knows no system.

/** Every observation kind and its data, filled in by the systems (see the header). */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface Observations {}

export type ObservationKind = keyof Observations & string;

/** The data of one kind. */
export type ObservationData<K extends ObservationKind> = Observations[K];

/** Kinds whose data is not JSON (never, when every declaration is right). */
type NotJson = { [K in ObservationKind]: Observations[K] extends Json ? never : K }[ObservationKind];

/**
 * Observation data goes into the trace as it is, so it must be JSON: a declaration whose data is
 * not (an interface, a Map, a function) makes this line fail to compile, naming the kind.
 */
export const OBSERVATIONS_ARE_JSON: [NotJson] extends [never] ? true : NotJson = true;

/** The kinds a set of declarations adds, each with a one-line doc (a System lists them: `describe`, the viewer). */
export type ObservationDocs<O> = { readonly [K in keyof O & string]: string };
