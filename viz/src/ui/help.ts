import { h } from './dom.ts';

// The keyboard help (opened with `?`).

export const KEYS: readonly [string, string][] = [
  ['Space', 'play / pause'],
  ['→  ←', 'step forward / back one event'],
  ['Shift + →  ←', 'jump to the next / previous fault, restart or violation'],
  ['Page Down / Up', 'jump 10% of the trace'],
  ['Home  End', 'go to the start / the end'],
  ['V', 'jump to the first checker violation'],
  ['/', 'search the event log'],
  ['?', 'show or hide this help'],
  ['Esc', 'close this help'],
];

export function helpDialog(onClose: () => void): HTMLDialogElement {
  const dlg = h('dialog', { class: 'help', attrs: { 'aria-label': 'Keyboard shortcuts', 'data-testid': 'help' } },
    h('h2', { text: 'Keyboard' }),
    h('table', null, h('tbody', null, ...KEYS.map(([k, what]) => h('tr', null, h('td', null, h('kbd', { text: k })), h('td', { text: what }))))),
    h('h2', { text: 'Reading the replay' }),
    h('ul', null,
      h('li', { text: 'The timeline shows the whole run: grey bars are how busy the simulation was, coloured ticks are faults (✕ crash, ⚡ partition, ✓ heal, ❚❚ pause) and red ▲ are checker violations.' }),
      h('li', { text: 'The state shown everywhere is the state right after the event under the cursor.' }),
      h('li', { text: 'Topology: colour is the role a process reports (leader, follower, looking…); grey with ✕ is down, a red dashed ring is cut off by a partition; dots travelling between processes are messages in flight.' }),
      h('li', { text: 'Space-time: one lane per process; an arrow is a message from its send to its delivery, a red ✕ a drop; grey bands are a process down, orange a pause, red a network partition.' }),
      h('li', { text: 'Inspector: Kafka partitions (leader, ISR, LEO, HW, the log by epoch), ZooKeeper peers and znodes, or any process\'s own view with the fields its last change touched highlighted.' }),
      h('li', { text: 'The URL always holds the trace, the position, the selection and the filters: copy it to share this exact moment.' }),
    ),
    h('div', { class: 'help-foot' }, h('button', { class: 'tbtn', text: 'Close', attrs: { type: 'button' }, on: { click: onClose } })),
  );
  dlg.addEventListener('close', onClose);
  return dlg;
}
