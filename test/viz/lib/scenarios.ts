import type { Scenario } from '../../../sim/harness/scenario.ts';
import { discoverAll } from '../../../sim/cli/scenarios.ts';

// The real scenarios present in this checkout (discovered like `dsim list` does). Viewer tests run
// against every one that exists: kernel examples now, ZooKeeper and Kafka as they land.

const { scenarios } = await discoverAll();

/** Every discovered scenario except the reference load (kernel-pingpong has its own, shorter runs). */
export function realScenarios(): Scenario[] {
  return scenarios.map((d) => d.scenario).filter((s) => s.name !== 'kernel-pingpong');
}

export function findScenario(name: string): Scenario | undefined {
  return scenarios.find((d) => d.name === name)?.scenario;
}
