import type { Checker } from '../../world/checker.ts';
import type { World } from '../../world/world.ts';
import '../observations-bm.ts';

// hdfs-dead-interval: the NameNode declares a DataNode dead only after the dead interval of silence
// (2 x dfs.namenode.heartbeat.recheck-interval + 10 x dfs.heartbeat.interval, 630 s by default),
// from its hdfs-bm-datanode-dead observations. How much later it may notice depends on the heartbeat
// monitor (one recheck interval when nothing stalls the NameNode); that bound is not a safety
// property (a paused NameNode notices late, as a Java one in a long GC does), so the scenarios
// check it where they control the faults.

const NAME = 'hdfs-dead-interval';

export function hdfsDeadIntervalChecker(): Checker {
  return {
    name: NAME,
    kind: 'safety',
    description: 'a DataNode is declared dead only after 2 x recheck-interval + 10 x heartbeat interval of silence',
    attach(world: World) {
      world.onObserve('hdfs-bm-datanode-dead', (p, d) => {
        if (d.silentMs <= d.expireMs) {
          world.reportViolation(NAME, `${world.procNames[p]} declared ${d.datanode} dead after ${(d.silentMs / 1000).toFixed(1)} s of silence, not more than the dead interval ${d.expireMs / 1000} s`);
        }
      });
    },
  };
}
