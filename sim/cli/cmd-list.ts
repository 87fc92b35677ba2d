import { withUses } from '../harness/system.ts';
import { parseArgs, positionals } from './args.ts';
import { err, out } from './common.ts';
import { table } from './output.ts';
import { defaultExpectation, discoverAll, displayPath } from './scenarios.ts';

// `dsim list [--json]`: every discovered scenario with its description and expected outcome.

export async function cmdList(argv: readonly string[]): Promise<number> {
  const args = parseArgs('list', argv, { json: { kind: 'bool' }, wide: { kind: 'bool' } });
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
  if (args.bools.has('wide')) {
    out(table(
      ['SCENARIO', 'SYSTEMS', 'EXPECTS', 'DESCRIPTION'],
      rows.map((r) => [r.name, r.systems.length === 0 ? '-' : r.systems.join(','), r.expect.violations.length === 0 ? 'no violation' : r.expect.violations.join(','), r.description]),
    ));
    return 0;
  }
  // One line per scenario within 100 columns: the outcome in a word (the checkers that fire are in
  // --wide and `dsim describe`), the description cut at a word.
  const nameW = Math.max(8, ...rows.map((r) => r.name.length));
  const head = ['SCENARIO'.padEnd(nameW), 'EXPECT'.padEnd(6), 'WHAT HAPPENS'];
  const descW = Math.max(20, LIST_WIDTH - nameW - 2 - 6 - 2);
  const lines = [head.join('  ')];
  for (const r of rows) {
    lines.push(`${r.name.padEnd(nameW)}  ${(r.expect.violations.length === 0 ? 'pass' : 'fail').padEnd(6)}  ${cut(r.description, descW)}`);
  }
  lines.push('', 'EXPECT pass: no checker may fire. fail: it shows a bug or a documented risk, and the');
  lines.push('checkers that catch it must fire. More: dsim list --wide, dsim describe <scenario>');
  out(lines.map((l) => (l.length > LIST_WIDTH ? cutHint(l) : l)).join('\n'));
  return 0;
}

const LIST_WIDTH = 100;

/** The text cut at a word boundary to fit `width`, with an ellipsis when cut. */
function cut(text: string, width: number): string {
  if (text.length <= width) return text;
  const room = text.slice(0, width - 1);
  const sp = room.lastIndexOf(' ');
  return `${(sp > width / 2 ? room.slice(0, sp) : room).replace(/[\s,;:.]+$/, '')}…`;
}

function cutHint(line: string): string {
  return cut(line, LIST_WIDTH);
}
