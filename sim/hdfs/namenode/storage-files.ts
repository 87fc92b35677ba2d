import type { TxId } from '../types.ts';

// File names of the NameNode's storage directory (NNStorage.NameNodeFile, NNStorage.get*FileName):
// txids are zero-padded to 19 digits (%019d), everything lives under current/.

export const CURRENT = 'current/';
export const SEEN_TXID = `${CURRENT}seen_txid`;
export const VERSION_FILE = `${CURRENT}VERSION`;

export function padTxId(txid: number): string {
  return String(txid).padStart(19, '0');
}

export function inProgressEditsName(startTxId: number): string {
  return `${CURRENT}edits_inprogress_${padTxId(startTxId)}`;
}

export function finalizedEditsName(startTxId: number, endTxId: number): string {
  return `${CURRENT}edits_${padTxId(startTxId)}-${padTxId(endTxId)}`;
}

export function imageName(txid: number): string {
  return `${CURRENT}fsimage_${padTxId(txid)}`;
}

/** Where a checkpoint is written before it is renamed into place (NameNodeFile.IMAGE_NEW: fsimage.ckpt_). */
export function imageCkptName(txid: number): string {
  return `${CURRENT}fsimage.ckpt_${padTxId(txid)}`;
}

/** MD5FileUtils.getDigestFileForFile: the image name plus ".md5". */
export function md5Name(imagePath: string): string {
  return `${imagePath}.md5`;
}

/** MD5FileUtils.saveMD5File's line: "<hex> *<file name>\n". */
export function md5Line(hex: string, imagePath: string): string {
  return `${hex} *${imagePath.slice(imagePath.lastIndexOf('/') + 1)}\n`;
}

/** The hex digest of an .md5 file's text, or null when the line is malformed (MD5FileUtils.readStoredMd5). */
export function parseMd5Line(text: string, imagePath: string): string | null {
  const m = /^([0-9a-f]{32}) \*(\S+)\n?$/.exec(text);
  if (m === null) return null;
  return m[2] === imagePath.slice(imagePath.lastIndexOf('/') + 1) ? m[1]! : null;
}

export type StorageFile =
  | { readonly kind: 'inprogress'; readonly path: string; readonly start: TxId }
  | { readonly kind: 'finalized'; readonly path: string; readonly start: TxId; readonly end: TxId }
  | { readonly kind: 'image'; readonly path: string; readonly txid: TxId };

/** Classifies a file of current/ (FileJournalManager.matchEditLogs, FSImageTransactionalStorageInspector). */
export function classify(path: string): StorageFile | null {
  const name = path.startsWith(CURRENT) ? path.slice(CURRENT.length) : path;
  let m = /^edits_inprogress_(\d{19})$/.exec(name);
  if (m !== null) return { kind: 'inprogress', path, start: Number(m[1]) as TxId };
  m = /^edits_(\d{19})-(\d{19})$/.exec(name);
  if (m !== null) return { kind: 'finalized', path, start: Number(m[1]) as TxId, end: Number(m[2]) as TxId };
  m = /^fsimage_(\d{19})$/.exec(name);
  if (m !== null) return { kind: 'image', path, txid: Number(m[1]) as TxId };
  return null;
}

export function listStorage(files: readonly string[]): StorageFile[] {
  const out: StorageFile[] = [];
  for (const f of files) {
    const c = classify(f);
    if (c !== null) out.push(c);
  }
  return out;
}
