// HAServiceProtocol (org.apache.hadoop.ha.HAServiceProtocol): what a ZKFC (and haadmin) asks a
// NameNode: monitorHealth, transitionToActive, transitionToStandby, getServiceStatus. Answers echo
// the callId; a failure is `haError` with the Java exception class and message.

interface Call {
  readonly callId: number;
}

export type HaServiceRequest =
  | (Call & { readonly type: 'haMonitorHealth' })
  | (Call & { readonly type: 'haTransitionToActive' })
  | (Call & { readonly type: 'haTransitionToStandby' })
  | (Call & { readonly type: 'haGetServiceStatus' });

export type HaServiceResponse =
  | (Call & { readonly type: 'haOk'; readonly rpc: HaServiceRequest['type'] })
  | (Call & { readonly type: 'haServiceStatus'; readonly state: string })
  | (Call & { readonly type: 'haError'; readonly rpc: HaServiceRequest['type']; readonly className: string; readonly message: string });

export type HaServiceMessage = HaServiceRequest | HaServiceResponse;

export const HA_RPC_BYTES = 80;
