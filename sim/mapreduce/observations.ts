// What MapReduce tells its checkers (sim/core/observation.ts declaration merging).

export interface MrObservations {
  /** A task attempt ended. `exitStatus` is its container's when a container exit ended it (else null). */
  'mr-attempt': {
    readonly job: string; readonly am: string; readonly task: string; readonly attempt: string;
    readonly state: 'SUCCEEDED' | 'FAILED' | 'KILLED';
    readonly cause: string; readonly exitStatus: number | null; readonly speculative: boolean;
  };
  /** A task ended (SUCCEEDED, or FAILED after maxAttempts failures) with the AM's count of its failed attempts. */
  'mr-task': { readonly job: string; readonly am: string; readonly task: string; readonly state: 'SUCCEEDED' | 'FAILED'; readonly failedAttempts: number; readonly maxAttempts: number };
  /** A reduce attempt closed its output file in HDFS: the file's inode id and its records' digest. */
  'mr-output-file': { readonly job: string; readonly attempt: string; readonly partition: number; readonly path: string; readonly fileId: number; readonly digest: string; readonly records: number };
  /** The MRAppMaster listed the job's input (FileInputFormat) and computed its splits. */
  'mr-job-input': { readonly job: string; readonly files: readonly { readonly path: string; readonly length: number }[]; readonly reduces: number };
  /** The MRAppMaster ended the job (after commitJob for SUCCEEDED). */
  'mr-job': { readonly job: string; readonly amAttempt: string; readonly state: 'SUCCEEDED' | 'FAILED'; readonly outputDir: string; readonly diagnostics: string; readonly counters: { readonly [name: string]: number } };
}

declare module '../core/observation.ts' {
  interface Observations extends MrObservations {}
}

export const MR_OBSERVATIONS: { readonly [K in keyof MrObservations]: string } = {
  'mr-attempt': 'a MapReduce task attempt ended (SUCCEEDED, FAILED, KILLED) and why, with its container exit status',
  'mr-task': 'a MapReduce task ended, with the AM\'s count of its failed attempts',
  'mr-output-file': 'a reduce attempt closed its output file in HDFS (inode id, records digest)',
  'mr-job-input': 'the MRAppMaster listed the job\'s input files (path, length) and computed one split per block',
  'mr-job': 'the MRAppMaster ended the job (SUCCEEDED after commitJob, or FAILED)',
};
