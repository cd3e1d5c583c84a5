import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { Environment } from './environment';
import { buildStacks, type BuiltStack, type StackContext } from './stack-synthesis';

/**
 * Below this many environments a second thread costs more (loading cdktf again) than it saves.
 * cdktf resolves tokens at about 10 ms per environment, all on one core; with two cores a worker
 * thread builds part of the stacks while this thread builds the rest.
 */
export const PARALLEL_SYNTHESIS_MIN_ENVIRONMENTS = 24;

/** Environments the worker takes out of `count`: it starts later (it loads cdktf first), so a little less than half. */
export function workerShare(count: number): number {
  return Math.max(0, Math.floor((count - PARALLEL_SYNTHESIS_MIN_ENVIRONMENTS / 2) / 2));
}

/** How long to wait for the worker before giving up: far above any real synthesis. */
const WORKER_TIMEOUT_MS = 10 * 60 * 1000;

/**
 * A worker thread, started before the environments are even loaded so that its cdktf loading
 * overlaps this thread's work. Waiting for it is synchronous, so synthesis stays a plain function.
 */
export class SynthesisWorker {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly done = new Int32Array(new SharedArrayBuffer(4));

  /** Starts a worker when the machine has a second core and there are enough environments to share. */
  static startFor(environmentCount: number): SynthesisWorker | undefined {
    if (availableParallelism() < 2 || workerShare(environmentCount) === 0) return undefined;
    return new SynthesisWorker();
  }

  private constructor() {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    // The worker is plain Node: it needs the TypeScript hook whoever started this thread (node, jest).
    const entry = [join(__dirname, '../bin/register-ts.js'), join(__dirname, 'synthesis-worker.ts')]
      .map((file) => `require(${JSON.stringify(file)});`)
      .join('');
    this.worker = new Worker(entry, { eval: true, workerData: { port: port2, done: this.done }, transferList: [port2] });
  }

  /** Hands the worker its environments; it starts building at once. */
  build(environments: readonly Environment[], context: StackContext, scratchDir: string): void {
    this.port.postMessage({ environments, context, scratchDir });
  }

  /** Blocks until the worker has built its stacks. */
  result(): BuiltStack[] {
    if (Atomics.wait(this.done, 0, 0, WORKER_TIMEOUT_MS) === 'timed-out') {
      throw new Error(`the synthesis worker did not finish within ${WORKER_TIMEOUT_MS / 60000} minutes`);
    }
    const message = receiveMessageOnPort(this.port)?.message as { stacks?: BuiltStack[]; error?: string } | undefined;
    if (!message?.stacks) throw new Error(`the synthesis worker failed: ${message?.error ?? 'no result'}`);
    return message.stacks;
  }

  stop(): void {
    this.port.close();
    void this.worker.terminate();
  }
}

/** Builds all stacks, sharing the work with `worker` when there is one. Stacks keep the environments' order. */
export function buildStacksInParallel(
  environments: readonly Environment[],
  context: StackContext,
  scratchDir: string,
  worker: SynthesisWorker | undefined,
): BuiltStack[] {
  const theirs = worker ? workerShare(environments.length) : 0;
  const mine = environments.slice(0, environments.length - theirs);
  if (worker && theirs > 0) worker.build(environments.slice(mine.length), context, scratchDir);
  const built = buildStacks(mine, context, scratchDir);
  return worker && theirs > 0 ? [...built, ...worker.result()] : built;
}
