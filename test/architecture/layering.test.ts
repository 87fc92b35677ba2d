import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SYSTEMS as REGISTERED } from '../../sim/registry/systems.ts';

// The layers of sim/, lowest first (DESIGN.md, Layout). A module may import from its own layer and
// from any layer below it, never from one above. Systems may use the systems they declare they
// stand on (Kafka and HDFS HA on ZooKeeper, MapReduce on YARN and HDFS) and nothing else.

// `registry` (sim/registry/: the list of Systems) stands above every system and below the CLI.
const LAYERS = ['core', 'env', 'world', 'harness', 'check', 'system', 'registry', 'cli'] as const;
type Layer = (typeof LAYERS)[number] | 'index';
// A registered System declares what it uses (System.uses); folders of systems not registered yet
// use what the design says (DESIGN.md, The System seam).
const PLANNED_USES: Record<string, readonly string[]> = {
  zookeeper: [],
  kafka: ['zookeeper'],
  hdfs: ['zookeeper'],
  yarn: [],
  mapreduce: ['yarn', 'hdfs'],
};
const SYSTEM_USES: Record<string, readonly string[]> = {
  ...PLANNED_USES,
  ...Object.fromEntries(REGISTERED.map((s) => [s.name, s.uses.map((u) => u.name)])),
};
const SYSTEMS = Object.keys(SYSTEM_USES);

const SIM = resolve(__dirname, '../../sim');

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...tsFiles(p));
    else if (name.endsWith('.ts')) out.push(p);
  }
  return out;
}

/** The top folder under sim/ a file lives in ('index' for sim/index.ts, the public API). */
function topOf(file: string): string {
  const rel = relative(SIM, file);
  return rel.includes('/') ? rel.split('/')[0]! : 'index';
}

function layerOf(top: string): Layer {
  if (top === 'index') return 'index';
  if (SYSTEMS.includes(top)) return 'system';
  if ((LAYERS as readonly string[]).includes(top)) return top as Layer;
  throw new Error(`sim/${top}/ is not a known layer; add it to test/architecture/layering.test.ts`);
}

function importsOf(src: string): string[] {
  const out: string[] = [];
  for (const m of src.matchAll(/(?:^|\n)\s*(?:import|export)[^'"\n;]*?from\s*['"]([^'"]+)['"]/g)) out.push(m[1]!);
  for (const m of src.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)) out.push(m[1]!);
  return out;
}

/** Every import among these files that runs from a lower layer to a higher one. */
function upwardImports(files: readonly { readonly file: string; readonly src: string }[]): string[] {
  const bad: string[] = [];
  for (const { file, src } of files) {
    const fromTop = topOf(file);
    const from = layerOf(fromTop);
    for (const spec of importsOf(src)) {
      if (!spec.startsWith('.')) continue;
      const target = resolve(dirname(file), spec);
      if (!target.startsWith(SIM + '/')) {
        bad.push(`${relative(SIM, file)} -> ${spec} (outside sim/)`);
        continue;
      }
      const toTop = topOf(target);
      const to = layerOf(toTop);
      if (from === 'index' || to === 'index') {
        if (to === 'index' && from !== 'index') bad.push(`${relative(SIM, file)} -> ${spec} (the public index is the top)`);
        continue;
      }
      if (from === 'system' && to === 'system') {
        if (fromTop !== toTop && !(SYSTEM_USES[fromTop] ?? []).includes(toTop)) {
          bad.push(`${relative(SIM, file)} -> ${spec} (${fromTop} does not use ${toTop})`);
        }
        continue;
      }
      if (LAYERS.indexOf(to) > LAYERS.indexOf(from)) bad.push(`${relative(SIM, file)} -> ${relative(SIM, target)} (${from} below ${to})`);
    }
  }
  return bad;
}

describe('layering of sim/', () => {
  const sources = tsFiles(SIM).map((file) => ({ file, src: readFileSync(file, 'utf8') }));

  it('no module imports from a layer above its own', () => {
    expect(upwardImports(sources)).toEqual([]);
  });

  it('nothing in sim/ outside sim/cli/ imports node: modules', () => {
    const bad = tsFiles(SIM)
      .filter((f) => topOf(f) !== 'cli')
      .filter((f) => importsOf(readFileSync(f, 'utf8')).some((s) => s.startsWith('node:')))
      .map((f) => relative(SIM, f));
    expect(bad).toEqual([]);
  });

  it('the check finds an upward import and an undeclared system dependency', () => {
    const planted = [
      { file: join(SIM, 'core/x.ts'), src: "import type { World } from '../world/world.ts';" },
      { file: join(SIM, 'env/y.ts'), src: "export { runScenario } from '../harness/run.ts';" },
      { file: join(SIM, 'zookeeper/z.ts'), src: "import { Broker } from '../kafka/broker.ts';" },
      { file: join(SIM, 'kafka/k.ts'), src: "import { ZkClient } from '../zookeeper/client.ts';" },
    ];
    expect(upwardImports(planted)).toEqual([
      'core/x.ts -> world/world.ts (core below world)',
      'env/y.ts -> harness/run.ts (env below harness)',
      'zookeeper/z.ts -> ../kafka/broker.ts (zookeeper does not use kafka)',
    ]);
  });
});
