// Scheduler event kinds: what the world does when an event comes due.

export const K_DELIVER = 1;
export const K_TIMER = 2;
export const K_CALL = 3;
export const K_START = 4;
export const K_DISCONNECT = 5;
/** A stream message or datagram that already reached the receiver's host (queued while it was paused). */
export const K_DELIVER_ARRIVED = 6;

/** SIGTERM: an orderly stop requested of a process (Actor.onShutdown); aux is its incarnation. */
export const K_SHUTDOWN = 7;
