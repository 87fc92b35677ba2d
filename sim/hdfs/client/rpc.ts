import type { ClientProtocolRequest, ClientProtocolResponse, RemoteException } from '../protocol.ts';

// What the client's streams need from the DFSClient's IPC layer: a ClientProtocol call whose
// answer (or failure: connection lost, timeout) comes back through a callback.

type Distribute<T> = T extends unknown ? Omit<T, 'callId'> : never;
/** A ClientProtocol request without its call id (the IPC layer assigns one). */
export type ClientCall = Distribute<ClientProtocolRequest>;

/** The answer of a call: its response, Hadoop's RemoteException, or null when the call failed (IOException). */
export type CallResult = Exclude<ClientProtocolResponse, RemoteException> | RemoteException | null;

export interface NamenodeRpc {
  call(req: ClientCall, done: (r: CallResult) => void): void;
}

/** The response of the expected type, or undefined. */
export function responseOf<T extends ClientProtocolResponse['type']>(r: CallResult, type: T): Extract<ClientProtocolResponse, { type: T }> | undefined {
  return r !== null && r.type === type ? (r as Extract<ClientProtocolResponse, { type: T }>) : undefined;
}

export function errorText(r: CallResult): string {
  if (r === null) return 'IOException: call failed (connection lost or timed out)';
  if (r.type === 'RemoteException') return `${r.className}: ${r.message}`;
  return `unexpected answer ${r.type}`;
}
