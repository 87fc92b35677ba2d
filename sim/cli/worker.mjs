// Worker-thread bootstrap: a worker does not inherit the parent's module hooks, so it registers
// tsx itself before loading the TypeScript worker (sweep-worker.ts).
import { register } from 'tsx/esm/api';

register();
await import('./sweep-worker.ts');
