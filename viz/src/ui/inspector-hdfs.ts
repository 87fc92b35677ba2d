import { fmtInt } from '../model/format.ts';
import { hdfsModel, type BlockHealth, type HdfsBlockRow, type HdfsDatanode, type HdfsFileRow, type HdfsReplicaCell } from '../model/hdfs.ts';
import type { ReplayState } from '../model/state.ts';
import type { App } from './app.ts';
import { h } from './dom.ts';

// The HDFS inspector: the NameNode's state and safe mode, the DataNodes by rack with their
// liveness as the NameNode sees it (live / stale / dead) beside whether the process runs, then
// files -> blocks -> replicas grouped by rack. Under-replicated, corrupt and missing blocks are
// highlighted; corrupt and excess replicas, pipeline members not yet reported and replicas on
// stale or dead nodes are marked; each replica shows the DataNode's own state of it (RBW bytes
// while a pipeline writes, FINALIZED after).

const HEALTH_LABEL: { readonly [k in BlockHealth]: string } = {
  ok: 'ok', writing: 'being written', over: 'over-replicated', under: 'under-replicated', corrupt: 'corrupt replica', missing: 'missing',
};

const FILES_SHOWN = 60;

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(n % 1024 === 0 ? 0 : 1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(n % (1024 * 1024) === 0 ? 0 : 1)} MiB`;
}

function datanodeChip(app: App, d: HdfsDatanode): HTMLElement {
  const state = d.up ? d.liveness : d.liveness === 'dead' || d.liveness === 'unregistered' ? d.liveness : `${d.liveness}, process down`;
  return h('button', {
    class: `chip hdfs-dn lv-${d.liveness}${d.up ? '' : ' down'}${app.selectedProc === d.procIndex ? ' selected' : ''}`,
    attrs: { type: 'button', 'data-datanode': d.name, 'data-liveness': d.liveness, 'data-up': d.up ? 'true' : 'false', title: 'inspect this DataNode\'s view' },
    on: { click: () => { app.selectProc(d.procIndex); app.setTab('process'); } },
  }, h('span', { class: `swatch lv-${d.liveness}` }), d.name,
  h('span', { class: 'chip-sub', text: `${state} · ${fmtInt(d.blocks)} blocks${d.xceivers > 0 ? ` · ${d.xceivers} xceivers` : ''}` }));
}

function replicaCell(c: HdfsReplicaCell, gs: number): HTMLElement {
  const marks: string[] = [];
  if (c.corrupt) marks.push('corrupt');
  if (c.excess) marks.push('excess');
  if (c.pipeline) marks.push('pipeline');
  if (c.liveness === 'stale' || c.liveness === 'dead') marks.push(c.liveness);
  const disk = c.onDisk === null ? '' : `${c.onDisk.state}${c.onDisk.gs !== gs ? ` gs ${c.onDisk.gs}` : ''} ${bytes(c.onDisk.bytes)}`;
  return h('span', {
    class: `rep${marks.map((m) => ` rep-${m}`).join('')}`,
    attrs: { 'data-replica': c.datanode, 'data-marks': marks.join(' ') },
    title: `${c.datanode} on ${c.rack}${marks.length > 0 ? ` (${marks.join(', ')})` : ''}${disk !== '' ? `: ${disk} on its disk` : ''}`,
  }, h('b', { text: c.datanode }), disk !== '' ? h('span', { class: 'rep-disk', text: ` ${disk}` }) : null, marks.length > 0 ? h('span', { class: 'rep-mark', text: ` ${marks.join(' ')}` }) : null);
}

function blockRow(b: HdfsBlockRow): HTMLElement {
  const blk = b.block;
  return h('tr', { class: `blk h-${b.health}`, attrs: { 'data-block': `blk_${blk.id}`, 'data-health': b.health, 'data-live': blk.live, 'data-replication': blk.replication } },
    h('td', null, h('span', { class: 'mono', text: `blk_${blk.id}_${blk.gs}` }), h('span', { class: 'muted', text: ` ${bytes(blk.len)}` })),
    h('td', { text: blk.state === 'COMPLETE' ? `${blk.live}/${blk.replication}` : blk.state.toLowerCase().replace(/_/g, ' ') }),
    h('td', { class: `health h-${b.health}`, text: `${HEALTH_LABEL[b.health]}${blk.lowRedundancyLevel >= 0 ? ` · queue ${blk.lowRedundancyLevel}` : ''}${blk.pendingReconstruction ? ' · copy pending' : ''}` }),
    h('td', { class: 'racks' }, ...b.byRack.map((r) => h('span', { class: 'rack-group', attrs: { 'data-rack': r.rack } },
      h('span', { class: 'rack-name', text: r.rack }), ...r.replicas.map((c) => replicaCell(c, blk.gs))))),
  );
}

function fileCard(f: HdfsFileRow): HTMLElement {
  const file = f.file;
  return h('article', { class: `hdfs-file h-${f.health}`, attrs: { 'data-file': file.path, 'data-health': f.health } },
    h('div', { class: 'part-head' },
      h('h3', { class: 'mono', text: file.path }),
      h('span', { class: 'kv' }, h('b', { text: bytes(file.length) }), ` · replication ${file.replication} · ${file.blocks.length} block${file.blocks.length === 1 ? '' : 's'}`),
      file.underConstruction !== null ? h('span', { class: 'kv warn', text: `open for write by ${file.underConstruction}` }) : null,
      f.health !== 'ok' && f.health !== 'writing' ? h('span', { class: `kv health h-${f.health}`, text: HEALTH_LABEL[f.health] }) : null,
    ),
    f.blocks.length === 0 ? h('p', { class: 'muted', text: 'no blocks yet' }) : h('table', { class: 'grid blocks' },
      h('thead', null, h('tr', null, ...['block', 'live / target', 'health', 'replicas by rack'].map((c) => h('th', { text: c })))),
      h('tbody', null, ...f.blocks.map(blockRow))),
  );
}

export function renderHdfs(app: App, st: ReplayState): Node {
  const ix = app.ix!;
  const m = hdfsModel(ix.procs, ix.hosts.map((x) => x.rack), st, app.timeUs / 1000);
  const root = h('div', { class: 'hdfs' });
  const nn = m.nn;
  let summary: string;
  let warn = true;
  if (m.namenode === null) summary = 'No NameNode in this trace.';
  else if (!m.namenodeUp) summary = `${m.namenode} is down: no namespace, no block locations.`;
  else if (nn === null || nn.state !== 'active') summary = `${m.namenode} is ${nn?.state ?? 'starting'}.`;
  else {
    const sm = nn.safeMode === 'OFF' ? 'safe mode off' : `SAFE MODE ${nn.safeMode}${nn.safeModeCounts !== null ? ` (${nn.safeModeCounts.blockSafe} of ${nn.safeModeCounts.blockTotal} blocks safe)` : ''}`;
    const bad = m.counts.under + m.counts.corrupt + m.counts.missing;
    warn = nn.safeMode !== 'OFF' || bad > 0;
    summary = `${m.namenode}: ${sm} · ${fmtInt(nn.fileCount)} files · ${fmtInt(nn.blocks.size)} blocks` +
      (m.counts.under > 0 ? ` · ${m.counts.under} under-replicated` : '') + (m.counts.corrupt > 0 ? ` · ${m.counts.corrupt} with corrupt replicas` : '') +
      (m.counts.missing > 0 ? ` · ${m.counts.missing} missing` : '') + (m.counts.writing > 0 ? ` · ${m.counts.writing} being written` : '');
  }
  root.appendChild(h('p', { class: `zk-summary${warn ? ' warn' : ''}`, text: summary, attrs: { 'data-testid': 'hdfs-summary', 'data-safemode': nn?.safeMode ?? '' } }));

  const racks = [...new Set(m.datanodes.map((d) => d.rack))].sort();
  root.appendChild(h('div', { class: 'hdfs-racks', attrs: { 'aria-label': 'DataNodes by rack' } }, ...racks.map((r) => h('div', { class: 'hdfs-rack', attrs: { 'data-rack': r } },
    h('div', { class: 'rack-name', text: r }), h('div', { class: 'chips' }, ...m.datanodes.filter((d) => d.rack === r).map((d) => datanodeChip(app, d)))))));

  if (nn !== null && (nn.lowRedundancy.some((l) => l.length > 0) || nn.pendingReconstruction.length > 0 || nn.pendingDeletion > 0)) {
    const q = nn.lowRedundancy.map((l, i) => `${i}: ${l.length}`).join(' · ');
    root.appendChild(h('p', { class: 'kv warn', attrs: { 'data-testid': 'hdfs-queues' },
      text: `low-redundancy queues (0 = highest priority, 4 = corrupt) ${q} · copies pending ${nn.pendingReconstruction.length} · deletions pending ${nn.pendingDeletion}` }));
  }

  if (nn !== null) {
    const rows = [...m.files].sort((a, b) => (a.health === 'ok' ? 1 : 0) - (b.health === 'ok' ? 1 : 0) || (a.file.path < b.file.path ? -1 : 1));
    if (rows.length === 0) root.appendChild(h('p', { class: 'muted', text: 'No files yet.' }));
    for (const f of rows.slice(0, FILES_SHOWN)) root.appendChild(fileCard(f));
    const more = nn.fileCount - Math.min(rows.length, FILES_SHOWN);
    if (more > 0) root.appendChild(h('p', { class: 'muted', text: `${fmtInt(more)} more files not shown (files with a problem come first).` }));
  }
  return root;
}
