import { renderZooKeeper } from '../ui/inspector-zk.ts';
import type { SystemViz } from './types.ts';

// ZooKeeper in the viewer: the peers, sessions and znodes inspector (model: viz/src/model/zookeeper.ts)
// and the colours of the peer states (LEADING, FOLLOWING, LOOKING, OBSERVING).

export const zookeeperViz: SystemViz = {
  system: 'zookeeper',
  label: 'ZooKeeper',
  render: renderZooKeeper,
  roles: { leading: 'lead', following: 'follow', observer: 'follow', observing: 'follow', peer: 'follow', looking: 'elect' },
};
