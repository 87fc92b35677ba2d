import { describe, expect, it } from 'vitest';
import type { Context } from '../../sim/core/actor.ts';
import type { ConfigValue } from '../../sim/core/config.ts';
import { runScenario, type RunResult } from '../../sim/harness/run.ts';
import { defineScenario } from '../../sim/harness/scenario.ts';
import type { World } from '../../sim/world/world.ts';
import { capacityGuaranteeChecker, fairShareChecker } from '../../sim/yarn/checkers/index.ts';
import { ExitStatus, type ContainerStatus } from '../../sim/yarn/messages.ts';
import { rmIn } from '../../sim/yarn/cluster.ts';
import { NodeManager, type NodeManagerOptions } from '../../sim/yarn/nm.ts';
import { AppManager, type AppHost } from '../../sim/yarn/rm-apps.ts';
import type { RMAppAttempt, RMNode } from '../../sim/yarn/rm-state.ts';
import { ResourceManager } from '../../sim/yarn/rm.ts';
import { yarnSummary } from '../../sim/yarn/summary.ts';
import { yarnSystem } from '../../sim/yarn/system.ts';
import { buildYarn, twoQueueDefaults, yarnScenarioSchema } from '../../scenarios/yarn/lib/common.ts';

// Every YARN checker fires from a bug planted in protocol code (a subclass of the RM, its
// application side, or the NodeManager), and stays quiet on the same run without the bug.

const schema = yarnScenarioSchema(['root', 'root.a', 'root.b', 'root.default']);

interface Plant {
  readonly rm?: (ctx: Context) => ResourceManager;
  readonly nm?: (ctx: Context, o: NodeManagerOptions) => NodeManager;
  readonly extra?: (world: World) => void;
}

function run(defaults: { [k: string]: ConfigValue }, faults: string, plant: Plant, ms = 120_000, stopOnViolation = false): RunResult {
  const s = defineScenario({
    name: 'yarn-checker-test', description: '', teaches: '', systems: [yarnSystem], schema,
    defaults: { 'workload.apps': 3, 'workload.maps': 6, 'workload.reduces': 1, 'workload.taskMs': 10_000, 'workload.submitIntervalMs': 1000, 'check.livenessBoundMs': 100_000, ...defaults },
    faults, faultPhaseMs: ms / 2, quiesceMs: ms / 2,
    expect: { violations: [], why: '' },
    summary: yarnSummary,
    build(world, cfg) {
      buildYarn(world, cfg, { ...(plant.rm !== undefined ? { rm: plant.rm } : {}), ...(plant.nm !== undefined ? { nm: plant.nm } : {}) });
      plant.extra?.(world);
    },
  });
  return runScenario(s, { seed: 1, stopOnViolation });
}

const fired = (r: RunResult): string[] => [...new Set(r.violations.map((v) => v.checker))].sort();

describe('yarn-no-overcommit', () => {
  // Queue a fills the cluster, queue b arrives, the preemption monitor kills a's newest containers.
  const preempt = {
    ...twoQueueDefaults, 'yarn.scheduler.capacity.root.a.user-limit-factor': 2, 'yarn.scheduler.capacity.maximum-am-resource-percent': 0.5,
    'yarn.resourcemanager.scheduler.monitor.enable': true, 'yarn.resourcemanager.monitor.capacity.preemption.natural_termination_factor': 1,
    'yarn.resourcemanager.monitor.capacity.preemption.total_preemption_per_round': 1,
    'workload.apps': 2, 'workload.queues': ['a', 'b'], 'workload.maps': 40, 'workload.taskMs': 100_000, 'workload.submitIntervalMs': 20_000,
  };
  class NoCleanupRm extends ResourceManager {
    // Planted bug: a preempted container is taken back in the scheduler but its NodeManager is never told to kill it.
    protected override cleanupOnNode(_node: RMNode, _containerId: string): void {}
  }
  it('fires when a preempted container keeps running while its resources are given away', () => {
    const r = run(preempt, '', { rm: (ctx) => new NoCleanupRm(ctx) });
    expect(fired(r)).toContain('yarn-no-overcommit');
    expect(r.violations.find((v) => v.checker === 'yarn-no-overcommit')!.message).toMatch(/above its capacity/);
  });
  it('stays quiet with the real RM', () => {
    expect(fired(run(preempt, '', {}))).toEqual([]);
  });
});

describe('yarn-one-am-attempt', () => {
  class EagerRetry extends AppManager {
    // Planted bug: the next attempt is scheduled before the failed one is marked FAILED.
    override attemptFailed(a: RMAppAttempt, diagnostics: string, counts: boolean): void {
      const app = this.apps.get(a.appId)!;
      this.newAttempt(app);
      a.counts = counts;
      a.diagnostics = diagnostics;
      this.setAttemptState(a, 'FAILED');
      this.releaseAttempt(a, ExitStatus.KILLED_BY_RESOURCEMANAGER);
    }
  }
  class EagerRm extends ResourceManager {
    protected override createAppManager(host: AppHost): AppManager {
      return new EagerRetry(host);
    }
  }
  const faults = 'at 8s crash am-node(application_1_0001) for 3s\n';
  it('fires when a second attempt starts while the first is live', () => {
    const r = run({}, faults, { rm: (ctx) => new EagerRm(ctx) }, 120_000, true);
    expect(fired(r)).toContain('yarn-one-am-attempt');
  });
  it('stays quiet with the real RM: the AM container is ABORTED with its node, attempt 2 follows', () => {
    const r = run({}, faults, {});
    expect(fired(r)).toEqual([]);
    expect(r.summary).toMatch(/application_1_0001.*FINISHED\s+SUCCEEDED\s+\S+\s+2\b/);
  });
});

describe('yarn-lost-node', () => {
  const fast = { 'yarn.nm.liveness-monitor.expiry-interval-ms': 30_000 };
  class HastyRm extends ResourceManager {
    // Planted bug: NMLivelinessMonitor compares against half the expiry interval.
    protected override expireNodes(): void {
      const now = this.ctx.nowUs();
      for (const n of this.nodes.values()) if (n.state === 'RUNNING' && now - n.lastHeartbeatUs >= this.nmExpiryUs / 2) this.removeNode(n, 'LOST', 'lost');
    }
  }
  it('fires when a node is declared LOST before the expiry interval', () => {
    const r = run(fast, 'at 5s crash nm-2\n', { rm: (ctx) => new HastyRm(ctx) });
    expect(fired(r)).toContain('yarn-lost-node');
    expect(r.violations[0]!.message).toMatch(/before the expiry of 30 s/);
  });
  it('stays quiet with the real RM, which aborts the lost node\'s containers after the expiry', () => {
    const r = run(fast, 'at 5s crash nm-2\n', {});
    expect(fired(r)).toEqual([]);
    expect(rmIn(r.world)!.nodesLost).toBe(1); // LOST at 35-45 s, back at the heal (60 s)
  });
});

describe('yarn-liveness', () => {
  class SilentNm extends NodeManager {
    // Planted bug: completed containers are never reported (only running ones).
    protected override statusesForHeartbeat(): ContainerStatus[] {
      return super.statusesForHeartbeat().filter((s) => s.state === 'RUNNING');
    }
  }
  it('fires when applications never learn that their containers completed', () => {
    const r = run({ 'check.livenessBoundMs': 30_000 }, '', { nm: (ctx, o) => new SilentNm(ctx, o) });
    expect(fired(r)).toContain('yarn-liveness');
  });
  it('stays quiet with the real NodeManager', () => {
    expect(fired(run({}, '', {}))).toEqual([]);
  });
});

describe('yarn-capacity-guarantee and yarn-fair-share', () => {
  const hog = {
    ...twoQueueDefaults, 'yarn.scheduler.capacity.root.a.user-limit-factor': 2, 'yarn.scheduler.capacity.maximum-am-resource-percent': 0.5,
    'workload.apps': 2, 'workload.queues': ['a', 'b'], 'workload.maps': 40, 'workload.taskMs': 200_000, 'workload.submitIntervalMs': 10_000,
    'check.livenessBoundMs': 10_000_000,
  };
  const guarantee = (w: World) => w.addChecker(capacityGuaranteeChecker({ boundMs: 60_000, toleranceMb: 2048 }));
  it('yarn-capacity-guarantee fires when queue b waits for its guarantee without preemption', () => {
    expect(fired(run(hog, '', { extra: guarantee }, 200_000))).toContain('yarn-capacity-guarantee');
  });
  it('and stays quiet with the preemption monitor on', () => {
    const on = { ...hog, 'yarn.resourcemanager.scheduler.monitor.enable': true, 'yarn.resourcemanager.monitor.capacity.preemption.natural_termination_factor': 1, 'yarn.resourcemanager.monitor.capacity.preemption.total_preemption_per_round': 1 };
    expect(fired(run(on, '', { extra: guarantee }, 200_000))).toEqual([]);
  });
  const fairHog = { ...hog, 'yarn.resourcemanager.scheduler.class': 'fair', 'yarn.scheduler.fair.allocation.file': '<allocations><queue name="a"/><queue name="b"/><defaultFairSharePreemptionTimeout>5</defaultFairSharePreemptionTimeout></allocations>' };
  const fairCheck = (w: World) => w.addChecker(fairShareChecker({ boundMs: 60_000, toleranceMb: 2048 }));
  it('yarn-fair-share fires when queue b waits for its fair share without preemption', () => {
    expect(fired(run(fairHog, '', { extra: fairCheck }, 200_000))).toContain('yarn-fair-share');
  });
  it('and stays quiet with fair preemption on', () => {
    expect(fired(run({ ...fairHog, 'yarn.scheduler.fair.preemption': true }, '', { extra: fairCheck }, 200_000))).toEqual([]);
  });
});
