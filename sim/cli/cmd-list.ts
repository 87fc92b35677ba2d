import { withUses } from '../harness/system.ts';
import { parseArgs, positionals } from './args.ts';
import { err, out } from './common.ts';
import { table } from './output.ts';
import { defaultExpectation, discoverAll, displayPath } from './scenarios.ts';

// `dsim list [--json]`: every discovered scenario with its description and expected outcome.

export async function cmdList(argv: readonly string[]): Promise<number> {
  const args = parseArgs('list', argv, { json: { kind: 'bool' } });
  positionals('list', args, []);
  const { scenarios, broken } = await discoverAll();
  for (const b of broken) err(`dsim: warning: skipped ${displayPath(b.file)}: ${b.error}`);
  const rows = scenarios.map((d) => {
    const e = defaultExpectation(d.scenario);
    return {
      name: d.name,
      description: d.scenario.description,
      systems: withUses(d.scenario.systems).map((s) => s.name),
      expect: { violations: [...e.violations], why: e.why },
      file: displayPath(d.file),
      bench: d.scenario.bench === true,
    };
  });
  if (args.bools.has('json')) {
    out(JSON.stringify(rows));
    return 0;
  }
  if (rows.length === 0) {
    out('no scenarios found under scenarios/<system>/');
    return 0;
  }
  out(table(
    ['SCENARIO', 'SYSTEMS', 'EXPECTS', 'DESCRIPTION'],
    rows.map((r) => [r.name, r.systems.length === 0 ? '-' : r.systems.join(','), r.expect.violations.length === 0 ? 'pass' : r.expect.violations.join(','), r.description]),
  ));
  return 0;
}
