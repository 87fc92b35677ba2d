import type { ReplacePolicyName } from '../config-datanode.ts';

// ReplaceDatanodeOnFailure (org.apache.hadoop.hdfs.protocol.datatransfer): whether the client adds
// a new DataNode to a pipeline that lost one. With `enable` false the policy is DISABLE (never; and
// Hadoop does not even call getAdditionalDatanode). The DEFAULT condition, with r the file's
// replication and n the DataNodes left in the pipeline:
//   r >= 3 and (floor(r / 2) >= n, or the block was hflushed/appended).

export interface ReplaceSettings {
  readonly replaceEnable: boolean;
  readonly replacePolicy: ReplacePolicyName;
}

export function policyName(s: ReplaceSettings): ReplacePolicyName | 'DISABLE' {
  return s.replaceEnable ? s.replacePolicy : 'DISABLE';
}

/** ReplaceDatanodeOnFailure.satisfy: add a replacement DataNode? */
export function shouldReplace(s: ReplaceSettings, replication: number, remaining: number, isAppend: boolean, isHflushed: boolean): boolean {
  // Policy.satisfy: with no DataNode left, or as many as the replication, no policy adds one.
  if (remaining === 0 || remaining >= replication) return false;
  switch (policyName(s)) {
    case 'DISABLE':
    case 'NEVER':
      return false;
    case 'ALWAYS':
      return true;
    case 'DEFAULT':
      if (replication < 3) return false;
      if (Math.floor(replication / 2) >= remaining) return true;
      return isAppend || isHflushed;
  }
}
