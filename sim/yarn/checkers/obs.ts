// Final states in the YARN observations, for the checkers.

export const FINAL_CONTAINER = new Set(['COMPLETED', 'RELEASED', 'KILLED', 'EXPIRED']);
export const FINAL_ATTEMPT = new Set(['FINISHED', 'FAILED', 'KILLED']);
export const FINAL_APP = new Set(['FINISHED', 'FAILED', 'KILLED']);
