import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The checked-in trace hashes, by case id (test/golden/cases.ts). */
export const GOLDEN: Readonly<Record<string, string>> = JSON.parse(
  readFileSync(join(import.meta.dirname, 'hashes.json'), 'utf8'),
) as Record<string, string>;
