import { readFileSync, writeFileSync } from 'node:fs';
import { Driver } from './driver.ts';
import { fleCommands } from './fle.ts';
import { kafkaCommands } from './kafka.ts';
import { zookeeperCommands } from './zookeeper.ts';
import { formatScript, parseScript } from './script.ts';

/** A driver with every system's commands (a script uses those of the systems it builds). */
export function newDriver(): Driver {
  const d = new Driver();
  kafkaCommands(d);
  zookeeperCommands(d);
  fleCommands(d);
  return d;
}

export interface ScriptResult {
  readonly expected: string;
  readonly actual: string;
}

/**
 * Runs a script file and returns its text as stored and as this run printed it. An error in a
 * command is printed as its output (`error: ...`) and ends the script.
 */
export function runScriptFile(file: string): ScriptResult {
  const text = readFileSync(file, 'utf8');
  const script = parseScript(text, file);
  const d = newDriver();
  const outputs: string[] = [];
  let failed = false;
  for (const b of script.blocks) {
    if (failed) {
      outputs.push('skipped: an earlier command failed');
      continue;
    }
    try {
      outputs.push(d.exec(b.command));
    } catch (e) {
      failed = true;
      outputs.push(`error: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const actual = formatScript(script, outputs);
  if (process.env['REWRITE'] === '1' && actual !== text) writeFileSync(file, actual);
  return { expected: text, actual };
}
