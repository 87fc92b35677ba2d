import type { ProcessId } from '../../core/types.ts';
import type { ClientProtocolRequest } from '../protocol.ts';
import type { Answer } from './fs-context.ts';
import { recoverLease } from './lease-recovery.ts';
import { hdfsError } from './namespace.ts';
import type { NameNode } from './namenode.ts';
import { deletePath, getBlockLocations, getFileInfo, getListing, mkdirs, rename, setReplication } from './namesystem-dir.ts';
import {
  abandonBlock, addBlock, complete, create, fsyncFile, getAdditionalDatanode, renewLease, reportBadBlocks, updateBlockForPipeline,
  updatePipeline,
} from './namesystem-write.ts';

// NameNodeRpcServer's ClientProtocol methods: one case per RPC, each delegating to FSNamesystem's
// operation. saveNamespace answers by itself later ('held'): it rolls the log and writes an image.

export function dispatchClientRequest(nn: NameNode, from: ProcessId, req: ClientProtocolRequest): Answer | 'held' {
  const fs = nn.fs;
  switch (req.type) {
    case 'mkdirs': return mkdirs(fs, req);
    case 'create': return create(fs, req);
    case 'addBlock': return addBlock(fs, req);
    case 'complete': return complete(fs, req);
    case 'abandonBlock': return abandonBlock(fs, req);
    case 'getBlockLocations': return getBlockLocations(fs, req);
    case 'getAdditionalDatanode': return getAdditionalDatanode(fs, req);
    case 'renewLease': return renewLease(fs, req);
    case 'updateBlockForPipeline': return updateBlockForPipeline(fs, req);
    case 'updatePipeline': return updatePipeline(fs, req);
    case 'recoverLease': return recoverLease(fs, req);
    case 'fsync': return fsyncFile(fs, req);
    case 'delete': return deletePath(fs, req);
    case 'rename': return rename(fs, req);
    case 'getFileInfo': return getFileInfo(fs, req);
    case 'getListing': return getListing(fs, req);
    case 'setReplication': return setReplication(fs, req);
    case 'reportBadBlocks': return reportBadBlocks(fs, req);
    case 'setSafeMode':
      if (req.action === 'SAFEMODE_ENTER') fs.safeMode.manual = true;
      else if (req.action === 'SAFEMODE_LEAVE') nn.forceLeaveSafeMode();
      return { ok: { type: 'setSafeModeResponse', inSafeMode: fs.safeMode.isOn }, txid: null };
    case 'saveNamespace':
      return saveNamespace(nn, from, req);
  }
}

/** FSNamesystem.saveNamespace -> FSImage.saveNamespace: end the segment, save fsimage_<txid>, start a new segment, purge. */
function saveNamespace(nn: NameNode, from: ProcessId, req: Extract<ClientProtocolRequest, { type: 'saveNamespace' }>): Answer | 'held' {
  const fs = nn.fs;
  if (!fs.safeMode.isOn) return { err: hdfsError('IOException', 'Safe mode should be turned ON in order to create namespace image.') };
  nn.exclusive((release) => {
    fs.log.endCurrentLogSegment((start, end) => {
      nn.ctx.observe('hdfs-nn-segment', { start, end, digest: fs.ns.digest() });
      nn.storage.saveImage(fs.ns, nn.nsId, fs.settings.features.layoutVersion, (err, txid, _md5) => {
        if (err !== null) {
          release();
          nn.answerClient(from, req, { err: hdfsError('IOException', err) });
          return;
        }
        nn.ctx.observe('hdfs-nn-checkpoint', { txid, digest: fs.ns.digest(), source: 'saveNamespace' });
        fs.log.startLogSegment(() => {
          nn.storage.purgeOldStorage(fs.settings);
          release();
          nn.answerClient(from, req, { ok: { type: 'saveNamespaceResponse', txid }, txid: null });
        });
      });
    });
  });
  return 'held';
}
