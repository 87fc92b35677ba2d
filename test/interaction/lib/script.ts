// The interaction script format (etcd raft's testdata, cockroachdb/datadriven): a script is a list
// of commands, each followed by a line `----` and the output it is expected to print, ended by a
// blank line. Lines starting with `#` between commands are comments. Running a script executes the
// commands in order and compares each output with the stored one; with REWRITE=1 the file is
// rewritten with the actual outputs, to be reviewed as a diff.

export interface Block {
  /** Comment and blank lines before the command, kept as they are. */
  readonly preamble: readonly string[];
  readonly command: string;
  /** 1-based line of the command in the file. */
  readonly line: number;
  readonly expected: string;
}

export interface Script {
  readonly blocks: readonly Block[];
  /** Comment and blank lines after the last block. */
  readonly trailer: readonly string[];
}

export function parseScript(text: string, file: string): Script {
  const lines = text.split('\n');
  const blocks: Block[] = [];
  let preamble: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const l = lines[i]!;
    if (l.trim() === '' || l.startsWith('#')) {
      preamble.push(l);
      i++;
      continue;
    }
    const command = l.trim();
    const line = i + 1;
    if (lines[i + 1] !== '----') throw new Error(`${file}:${line + 1}: expected '----' after the command '${command}'`);
    i += 2;
    const out: string[] = [];
    while (i < lines.length && lines[i] !== '') out.push(lines[i++]!);
    blocks.push({ preamble, command, line, expected: out.join('\n') });
    preamble = [];
  }
  while (preamble.length > 0 && preamble[preamble.length - 1] === '') preamble.pop();
  return { blocks, trailer: preamble.length > 0 ? preamble : [''] };
}

/** The script text with these outputs (one per block). */
export function formatScript(s: Script, outputs: readonly string[]): string {
  const parts: string[] = [];
  s.blocks.forEach((b, i) => {
    parts.push(...b.preamble, b.command, '----', ...(outputs[i] === '' ? [] : outputs[i]!.split('\n')));
  });
  parts.push(...s.trailer);
  let text = parts.join('\n');
  if (!text.endsWith('\n')) text += '\n';
  return text;
}
