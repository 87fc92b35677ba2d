import { isRecord } from '../model/events.ts';
import { fmtInt } from '../model/format.ts';
import { brokerIds, kafkaModel, type KafkaPartition, type KafkaReplica } from '../model/kafka.ts';
import type { TraceIndex } from '../model/load.ts';
import type { ReplayState } from '../model/state.ts';
import type { App } from './app.ts';
import { epochColor, ROLE_COLOR, roleKind, STATUS_COLOR } from './colors.ts';
import { h } from './dom.ts';

// The Kafka inspector: brokers, then per partition its replicas (LEO, HW, leader epoch, ISR
// membership, when each follower last caught up) and the log of each replica by offset, coloured
// by leader epoch, with batches that disagree with the leader's log marked as divergent.

const idsCache = new WeakMap<TraceIndex, Map<number, number>>();

function idsFor(ix: TraceIndex): Map<number, number> {
  let ids = idsCache.get(ix);
  if (ids === undefined) {
    ids = brokerIds(ix.procs, ix.keyframes.map((k) => k.state));
    idsCache.set(ix, ids);
  }
  return ids;
}

const dash = (v: number | null | undefined): string => (v === null || v === undefined ? '—' : fmtInt(v));

export function renderKafka(app: App, st: ReplayState): Node {
  const ix = app.ix!;
  const m = kafkaModel(ix.procs, st, idsFor(ix));
  const nowMs = app.timeUs / 1000;
  const root = h('div', { class: 'kafka' });
  root.appendChild(h('div', { class: 'chips', attrs: { 'aria-label': 'Brokers' } }, ...m.brokers.map((b) => {
    const colour = b.up ? ROLE_COLOR[roleKind(b.role)] : STATUS_COLOR.down;
    return h('button', {
      class: `chip${b.up ? '' : ' down'}${app.selectedProc === b.procIndex ? ' selected' : ''}`,
      attrs: { type: 'button', 'data-broker': b.name, title: 'inspect this broker\'s full view' },
      on: { click: () => { app.selectProc(b.procIndex); app.setTab('process'); } },
    }, h('span', { class: 'swatch', style: { background: colour } }), b.name,
    h('span', { class: 'chip-sub', text: b.up ? `${b.role}${b.controllerEpoch !== null ? ` · ctrl epoch ${b.controllerEpoch}` : ''}` : 'down' }));
  })));
  if (m.partitions.length === 0) {
    root.appendChild(h('p', { class: 'muted', text: 'No partitions yet: no broker view lists any partition at this point.' }));
  }
  for (const p of m.partitions) root.appendChild(partitionCard(app, p, nowMs));
  if (m.clients.length > 0) {
    root.appendChild(h('h3', { class: 'sub', text: 'Clients' }));
    root.appendChild(h('table', { class: 'grid' },
      h('thead', null, h('tr', null, ...['client', 'role', 'acked', 'failed', 'in flight'].map((c) => h('th', { text: c })))),
      h('tbody', null, ...m.clients.map((c) => {
        const v = isRecord(c.view) ? c.view : {};
        const num = (k: string): string => (typeof v[k] === 'number' ? fmtInt(v[k] as number) : '—');
        return h('tr', null, h('td', { text: c.name }), h('td', { text: typeof v['role'] === 'string' ? (v['role'] as string) : c.view === null ? 'down' : '' }),
          h('td', { text: num('acked') }), h('td', { text: num('failed') }), h('td', { text: num('inFlight') }));
      })),
    ));
  }
  return root;
}

function partitionCard(app: App, p: KafkaPartition, nowMs: number): HTMLElement {
  const leaderName = p.replicas.find((r) => r.isLeader)?.process ?? (p.leader !== null ? `broker ${p.leader}` : 'none');
  const leaderUp = p.replicas.find((r) => r.isLeader)?.up ?? false;
  const shrunk = p.isr.length < p.replicas.length;
  const head = h('div', { class: 'part-head' },
    h('h3', { text: p.key }),
    h('span', { class: 'kv' }, 'leader ', h('b', { class: leaderUp ? '' : 'bad', text: leaderName, attrs: { 'data-testid': 'leader' } })),
    h('span', { class: 'kv' }, 'epoch ', h('b', { text: p.leaderEpoch === null ? '—' : String(p.leaderEpoch) })),
    h('span', { class: `kv${shrunk ? ' warn' : ''}` }, 'ISR ', h('b', { text: `[${p.isr.join(', ')}]`, attrs: { 'data-testid': 'isr' } }),
      shrunk ? ` · ${p.isr.length} of ${p.replicas.length} replicas in sync` : ''),
    h('span', { class: 'kv muted', text: p.source !== null ? `as ${p.source} sees it` : '' }),
  );
  const leaderLeo = p.replicas.find((r) => r.isLeader)?.own?.leo ?? null;
  const rows = p.replicas.map((r) => replicaRow(app, r, leaderLeo, nowMs));
  const table = h('table', { class: 'grid replicas' },
    h('thead', null, h('tr', null, ...['replica', 'status', 'role here', 'LEO', 'HW', 'leader epoch', 'in ISR', 'caught up'].map((c) => h('th', { text: c })))),
    h('tbody', null, ...rows),
  );
  const card = h('article', {
    class: 'partition',
    attrs: { 'data-partition': p.key, 'data-leader': leaderName, 'data-isr': p.isr.join(','), 'aria-label': `partition ${p.key}` },
  }, head, table, logLanes(p));
  if (p.divergence.length > 0) {
    card.appendChild(h('div', { class: 'divergence', attrs: { role: 'note' } },
      h('b', { text: 'Divergent log' }), ...p.divergence.map((d) => h('div', { text: d }))));
  }
  return card;
}

function replicaRow(app: App, r: KafkaReplica, leaderLeo: number | null, nowMs: number): HTMLElement {
  const own = r.own;
  const status = !r.up ? 'down' : r.paused ? 'paused' : 'up';
  const role = !r.up ? '—' : r.isLeader ? 'leader' : own?.isLeader === true ? 'leader (stale)' : 'follower';
  let caught = '';
  if (r.follower !== null && r.follower.lastCaughtUpMs !== null) {
    const ago = Math.max(0, nowMs - r.follower.lastCaughtUpMs);
    caught = ago < 1 ? 'now' : `${(ago / 1000).toFixed(1)} s ago`;
  } else if (r.isLeader) caught = '(leader)';
  const lag = own?.leo !== null && own?.leo !== undefined && leaderLeo !== null && !r.isLeader ? leaderLeo - own.leo : null;
  return h('tr', { class: `${r.isLeader ? 'is-leader' : ''}${r.up ? '' : ' is-down'}`, attrs: { 'data-broker': r.process, 'data-in-isr': String(r.inIsr) } },
    h('td', null, h('button', { class: 'linklike', text: r.process, attrs: { type: 'button' }, on: { click: () => { if (r.procIndex >= 0) { app.selectProc(r.procIndex); app.setTab('process'); } } } })),
    h('td', { class: `st-${status}`, text: status }),
    h('td', { text: role }),
    h('td', { class: 'num' }, dash(own?.leo), lag !== null && lag > 0 ? h('span', { class: 'lag', text: ` (−${fmtInt(lag)})` }) : null),
    h('td', { class: 'num', text: dash(own?.hw) }),
    h('td', { class: 'num', text: dash(own?.leaderEpoch) }),
    h('td', { class: r.inIsr ? 'isr-yes' : 'isr-no', text: r.inIsr ? '✓ in ISR' : '✗ out' }),
    h('td', { text: caught }),
  );
}

function logLanes(p: KafkaPartition): HTMLElement {
  const from = p.offsetFrom;
  const to = Math.max(p.offsetTo, from + 1);
  const span = to - from;
  const pct = (o: number): string => `${(((o - from) / span) * 100).toFixed(3)}%`;
  const epochs = new Set<number>();
  const lanes = p.replicas.map((r) => {
    const own = r.own;
    const lane = h('div', { class: 'lane' });
    if (own !== null) {
      for (const b of own.batches) {
        epochs.add(b.epoch);
        lane.appendChild(h('div', {
          class: `batch${b.divergent ? ' divergent' : ''}`,
          title: `offsets ${b.baseOffset}–${b.baseOffset + b.count - 1}, leader epoch ${b.epoch}${b.divergent ? ' — diverges from the leader' : ''}`,
          style: { left: pct(b.baseOffset), width: `calc(${pct(b.baseOffset + b.count)} - ${pct(b.baseOffset)})`, background: epochColor(b.epoch) },
          attrs: { 'data-epoch': b.epoch, 'data-divergent': b.divergent ? 'true' : null },
        }));
      }
      if (own.hw !== null && own.hw >= from) lane.appendChild(h('div', { class: 'mark hw', title: `high watermark ${own.hw}`, style: { left: pct(Math.min(own.hw, to)) } }));
      if (own.leo !== null && own.leo >= from) lane.appendChild(h('div', { class: 'mark leo', title: `log end offset ${own.leo}`, style: { left: pct(Math.min(own.leo, to)) } }));
      if (own.logFrom !== null && own.logFrom > from) lane.appendChild(h('div', { class: 'unseen', style: { left: '0', width: pct(own.logFrom) }, title: 'older batches not in the view' }));
    } else {
      lane.appendChild(h('div', { class: 'lane-empty', text: r.up ? 'no view of this partition' : 'down' }));
    }
    return h('div', { class: `lane-row${r.isLeader ? ' is-leader' : ''}` }, h('span', { class: 'lane-label', text: r.process }), lane);
  });
  const legend = h('div', { class: 'lane-legend' },
    h('span', { class: 'muted', text: `offsets ${fmtInt(from)}–${fmtInt(to)}` }),
    ...[...epochs].sort((a, b) => a - b).map((e) => h('span', { class: 'lg-item' }, h('span', { class: 'lg-dot sq', style: { background: epochColor(e) } }), `epoch ${e}`)),
    h('span', { class: 'lg-item' }, h('span', { class: 'lg-mark hw' }), 'HW'),
    h('span', { class: 'lg-item' }, h('span', { class: 'lg-mark leo' }), 'LEO'),
    h('span', { class: 'lg-item' }, h('span', { class: 'lg-dot sq divergent' }), 'divergent'),
  );
  return h('div', { class: 'log' }, ...lanes, legend);
}
