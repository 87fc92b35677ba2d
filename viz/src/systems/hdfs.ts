import { renderHdfs } from '../ui/inspector-hdfs.ts';
import type { SystemViz } from './types.ts';

// HDFS in the viewer: the files -> blocks -> replicas-by-rack inspector (model: viz/src/model/hdfs.ts,
// which reads the NameNode's view with sim/hdfs/summary/view-model.ts, as `dsim run`'s fsck does)
// and the colours of its roles.

export const hdfsViz: SystemViz = {
  system: 'hdfs',
  label: 'HDFS',
  render: renderHdfs,
  roles: { namenode: 'lead', secondarynamenode: 'follow', datanode: 'follow', journalnode: 'follow' },
};
