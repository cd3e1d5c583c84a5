// Entry point of the worker thread that builds part of the stacks (see parallel-synthesis.ts).
import { workerData, type MessagePort } from 'node:worker_threads';
import type { Environment } from './environment';
import { buildStacks, type StackContext } from './stack-synthesis';

interface Job {
  readonly environments: readonly Environment[];
  readonly context: StackContext;
  readonly scratchDir: string;
}

const { port, done } = workerData as { port: MessagePort; done: Int32Array };

port.once('message', (job: Job) => {
  try {
    port.postMessage({ stacks: buildStacks(job.environments, job.context, job.scratchDir) });
  } catch (error) {
    port.postMessage({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  } finally {
    Atomics.store(done, 0, 1);
    Atomics.notify(done, 0);
    port.close();
  }
});
