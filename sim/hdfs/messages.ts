import type { ClientProtocolMessage, NamenodeProtocolMessage } from './protocol.ts';
import type { DatanodeProtocolMessage } from './protocol-dn.ts';
import type { DataTransferMessage } from './protocol-dt.ts';

// Every message an HDFS process sends, one discriminated union on `type`:
//   protocol.ts     ClientProtocol (client -> NameNode) and NamenodeProtocol (SecondaryNameNode ->
//                   NameNode, with the image/edits transfer of ImageServlet)   owner: hdfs-nn
//   protocol-dn.ts  DatanodeProtocol (DataNode <-> NameNode)                   owner: hdfs-bm
//   protocol-dt.ts  DataTransferProtocol (client/DataNode <-> DataNode)        owner: hdfs-dn
// Type tags must be unique across the three files (the compiler checks exhaustive switches).

export type HdfsMessage = ClientProtocolMessage | NamenodeProtocolMessage | DatanodeProtocolMessage | DataTransferMessage;

export type { ClientProtocolMessage, NamenodeProtocolMessage, DatanodeProtocolMessage, DataTransferMessage };
