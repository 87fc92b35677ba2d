import type { Json } from '../../core/types.ts';
import type { NameNode } from './namenode.ts';

// The NameNode's inspect() view: namespace (files with blocks, UC state and lease holder), edit log
// (open segment, last written and synced txids), storage (images and segments on disk), safe mode,
// leases, and the block manager's own view when it has one. Listings are capped so the trace stays
// small for large namespaces.

const FILES_SHOWN_MAX = 200;

export class NameNodeView {
  constructor(private readonly nn: NameNode) {}

  inspect(phase: string): Json {
    const nn = this.nn;
    if (phase !== 'active') return { role: 'namenode', state: phase };
    const ns = nn.ns;
    // Files keyed by path (not an array), so a new file is one patch op in the trace.
    const files: { [path: string]: Json } = {};
    let shown = 0;
    let fileCount = 0;
    for (const n of ns.walk()) {
      if (n.kind !== 'file') continue;
      fileCount++;
      if (shown >= FILES_SHOWN_MAX) continue;
      shown++;
      files[ns.pathOf(n)] = {
        replication: n.replication,
        length: n.blocks.reduce((s, b) => s + b.numBytes, 0),
        underConstruction: n.uc === null ? null : n.uc.clientName,
        blocks: n.blocks.map((b) => `blk_${b.blockId}_${b.genStamp} ${b.numBytes} ${b.state}`),
      };
    }
    const storage = nn.storage.files().map((f) => (f.kind === 'image' ? `fsimage_${f.txid}` : f.kind === 'finalized' ? `edits_${f.start}-${f.end}` : `edits_inprogress_${f.start}`));
    const bm = (nn.bm as { inspect?: () => Json }).inspect;
    return {
      role: 'namenode',
      state: phase,
      safeMode: nn.safeMode.isOn ? { status: nn.safeMode.status, manual: nn.safeMode.manual } : 'OFF',
      editLog: {
        curSegmentTxId: nn.log.curSegmentTxId,
        lastWrittenTxId: nn.log.lastWrittenTxId,
        syncedTxId: nn.log.syncedTxId,
        syncInProgress: nn.log.syncInProgress,
      },
      storage,
      namespace: { inodes: ns.inodeCount, files: fileCount, digest: ns.digest(), genStamp: ns.genStamp, lastBlockId: ns.lastBlockId, listing: files },
      leases: nn.leases.all().map((l) => {
        const files = [...l.files].sort((a, b) => a - b);
        const pathOf = (id: number): string => { const n = ns.inode(id); return n === undefined ? String(id) : ns.pathOf(n); };
        const recovering: { [path: string]: number } = {};
        for (const id of files) {
          const t = nn.leases.recoveryStartedUs.get(id);
          if (t !== undefined) recovering[pathOf(id)] = t;
        }
        return { holder: l.holder, files: files.map(pathOf), lastUpdateUs: l.lastUpdateUs, recoveryStartedUs: recovering };
      }),
      ...(bm !== undefined ? { blockManager: bm.call(nn.bm) } : {}),
    };
  }
}
