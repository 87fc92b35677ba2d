import type { ProcState, ReplayState } from '../model/state.ts';
import type { App } from '../ui/app.ts';
import type { RoleKind } from '../ui/colors.ts';

// A system's part of the viewer (the viewer half of the System seam, sim/harness/system.ts). The
// trace header names each process's system; every module here whose `system` matches gets an
// inspector tab, colours its roles and may badge its processes in the topology. Its model (what it
// reads from the processes' inspect() views) lives beside it or in viz/src/model/<system>.ts.

export interface SystemViz {
  /** The system's name as processes carry it in the trace header ('kafka', 'zookeeper', 'hdfs'). */
  readonly system: string;
  /** The inspector tab's label. */
  readonly label: string;
  /** The inspector tab's content at the cursor. */
  render(app: App, st: ReplayState): Node;
  /** Role names its views use (`role` in inspect(), or the header role) and how they are coloured. */
  readonly roles: { readonly [role: string]: RoleKind };
  /** A short badge on a process in the topology ('L3': leads 3 partitions), or null. */
  badge?(ps: ProcState | undefined): string | null;
}
