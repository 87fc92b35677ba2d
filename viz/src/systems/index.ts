import { hdfsViz } from './hdfs.ts';
import { kafkaViz } from './kafka.ts';
import type { SystemViz } from './types.ts';
import { zookeeperViz } from './zookeeper.ts';

// The viewer's systems, in one list: adding a system to the viewer is a module in this folder and a
// line here. Order is tab order; the first system present in a trace is the tab the viewer opens
// on, so list a system before the systems it uses (Kafka before ZooKeeper).

export type { SystemViz } from './types.ts';

export const SYSTEM_VIZ: readonly SystemViz[] = [kafkaViz, zookeeperViz, hdfsViz];

/** The viewer module of a system, or undefined (its processes still show in the Process tab). */
export function systemViz(system: string): SystemViz | undefined {
  return SYSTEM_VIZ.find((s) => s.system === system);
}
