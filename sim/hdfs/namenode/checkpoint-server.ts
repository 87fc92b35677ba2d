import type { ObservationData, ObservationKind } from '../../core/observation.ts';
import './observations.ts';
import type { NamenodeProtocolRequest, NamenodeProtocolResponse } from '../protocol.ts';
import type { TxId } from '../types.ts';
import type { EditLog } from './edit-log.ts';
import { deserializeImage } from './fsimage.ts';
import type { Namespace } from './namespace.ts';
import type { NNStorage, RetentionConf } from './storage.ts';

// The NameNode's side of a checkpoint (NameNodeRpcServer's NamenodeProtocol methods and ImageServlet):
// getTransactionID, rollEditLog, getEditLogManifest, and the image/edits transfers. An uploaded image
// is checked against its MD5 (TransferFsImage: "File ... computed digest ... does not match advertised
// digest"), stored as fsimage.ckpt_<txid> then renamed, and followed by retention
// (NNStorageRetentionManager.purgeOldStorage after FSImage.saveDigestAndRenameCheckpointImage).

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type NamenodeAnswerBody = DistributiveOmit<NamenodeProtocolResponse, 'callId'>;

export interface CheckpointHost {
  readonly ns: Namespace;
  readonly log: EditLog;
  readonly storage: NNStorage;
  readonly namespaceId: number;
  readonly retention: RetentionConf;
  /** Runs `f` with new mutations held back (the namesystem write lock), then releases them. */
  exclusive(f: (release: () => void) => void): void;
  observe<K extends ObservationKind>(kind: K, data: ObservationData<K>): void;
  annotate(text: () => string): void;
}

/** Serves one NamenodeProtocol request; `reply` gets the answer (or an error message) when it is ready. */
export function serveCheckpointRequest(host: CheckpointHost, req: NamenodeProtocolRequest, reply: (body: NamenodeAnswerBody | { error: string }) => void): void {
  switch (req.type) {
    case 'getTransactionID':
      reply({ type: 'getTransactionIDResponse', txid: host.log.syncedTxId, mostRecentCheckpointTxId: host.storage.mostRecentCheckpointTxId() });
      return;
    case 'rollEditLog':
      host.exclusive((release) => {
        host.log.rollEditLog((newTxId, finalized) => {
          host.observe('hdfs-nn-segment', { start: finalized.start, end: finalized.end, digest: host.ns.digest() });
          release();
          reply({ type: 'rollEditLogResponse', mostRecentCheckpointTxId: host.storage.mostRecentCheckpointTxId(), curSegmentTxId: newTxId, namespaceId: host.namespaceId });
        });
      });
      return;
    case 'getEditLogManifest':
      reply({ type: 'getEditLogManifestResponse', logs: host.storage.finalizedSince(req.sinceTxId).map((s) => ({ startTxId: s.start, endTxId: s.end })) });
      return;
    case 'getImage': {
      const img = host.storage.readImage(req.txid);
      if (img === null) {
        reply({ error: `Could not find image with txid ${req.txid}` });
        return;
      }
      reply({ type: 'getImageResponse', txid: req.txid, bytes: img.bytes, md5Hex: img.md5 });
      return;
    }
    case 'getEdit': {
      const bytes = host.storage.readSegment(req.startTxId, req.endTxId);
      if (bytes === null) {
        reply({ error: `Could not find edits_${req.startTxId}-${req.endTxId}` });
        return;
      }
      reply({ type: 'getEditResponse', startTxId: req.startTxId, endTxId: req.endTxId, bytes });
      return;
    }
    case 'putImage':
      host.storage.storeImage(req.txid, req.bytes, req.md5Hex, (err, txid) => {
        if (err !== null) {
          reply({ error: err });
          return;
        }
        const loaded = deserializeImage(req.bytes);
        const digest = typeof loaded === 'string' ? 'unreadable' : loaded.ns.digest();
        host.observe('hdfs-nn-checkpoint', { txid, digest, source: 'secondary' });
        const purged = host.storage.purgeOldStorage(host.retention);
        host.annotate(() => `checkpoint fsimage_${txid} stored${purged.length > 0 ? `; purged ${purged.join(', ')}` : ''}`);
        reply({ type: 'putImageResponse', txid: txid as TxId });
      });
      return;
  }
}
