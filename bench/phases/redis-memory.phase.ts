import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { applyEventJobId, createProducerQueue, WebhookEnqueuer } from '@terra-connections/queue';
import { floorJobOptions } from '../floor/floor-job';
import { waitForQuiet } from '../infra/machine-quiet';
import { newQueuePrefix, purgeQueuePrefix, QUEUE_NAME, REDIS_URL, redisInfo, redisOptions } from '../infra/redis-prefix';
import type { SystemName } from '../systems/system-under-test';
import { round1, type PhaseContext } from './phase-context';

export interface RedisMemorySide {
  jobs: number;
  failedEnqueues: number;
  enqueuedPerSecond: number;
  /** INFO memory used_memory after minus before, over the number of jobs: what a backlog really costs. */
  bytesPerJob: number;
  /** Cross-check that other Redis users cannot disturb: MEMORY USAGE of sampled job hashes and the wait list. */
  sampledJobHashBytes: number;
  waitListBytesPerJob: number;
  eventsStreamBytes: number;
  sampleJob: Record<string, string>;
}

export type RedisMemoryResult = Record<SystemName, RedisMemorySide>;

const IN_FLIGHT = 256;
/** One received_at for every job of the backlog: only the id's length matters to Redis. */
const RECEIVED_AT_US = String(Date.now() * 1000);

async function usedMemory(redis: IORedis): Promise<number> {
  await sleep(300);
  return (await redisInfo(redis, 'memory')).used_memory;
}

async function measure(
  name: SystemName,
  jobs: number,
  enqueue: (eventId: string) => Promise<boolean>,
  prefix: string,
  context: PhaseContext,
): Promise<RedisMemorySide> {
  const redis = new IORedis(redisOptions());
  try {
    const before = await usedMemory(redis);
    let nextId = 1;
    let failed = 0;
    const started = Date.now();
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (nextId <= jobs) {
          const id = String(nextId++);
          if (!(await enqueue(id))) failed += 1;
        }
      }),
    );
    const elapsedS = (Date.now() - started) / 1000;
    const after = await usedMemory(redis);
    const key = (suffix: string) => `${prefix}:${QUEUE_NAME}:${suffix}`;
    const usage = async (k: string) => Number((await redis.call('MEMORY', 'USAGE', k, 'SAMPLES', '0')) ?? 0);
    let hashBytes = 0;
    const samples = 200;
    for (let i = 0; i < samples; i += 1) hashBytes += await usage(key(applyEventJobId(String(1 + Math.floor((i * jobs) / samples)), RECEIVED_AT_US)));
    const side: RedisMemorySide = {
      jobs,
      failedEnqueues: failed,
      enqueuedPerSecond: round1(jobs / elapsedS),
      bytesPerJob: round1((after - before) / jobs),
      sampledJobHashBytes: round1(hashBytes / samples),
      waitListBytesPerJob: round1((await usage(key('wait'))) / jobs),
      eventsStreamBytes: await usage(key('events')),
      sampleJob: await redis.hgetall(key(applyEventJobId('1', RECEIVED_AT_US))),
    };
    context.log(
      `  redis ${name}: ${side.bytesPerJob} B/job (INFO delta), job hash ${side.sampledJobHashBytes} B + wait list ${side.waitListBytesPerJob} B/job; ` +
        `${side.enqueuedPerSecond} adds/s, ${failed} failed`,
    );
    return side;
  } finally {
    redis.disconnect();
  }
}

/** A backlog of apply jobs with no worker running: the product's own enqueuer against the floor's bare add. */
export async function redisMemoryPhase(context: PhaseContext): Promise<RedisMemoryResult> {
  const jobs = context.settings.redis.jobs;
  await waitForQuiet(Math.min(context.settings.quietWaitMs, 20_000));
  const productPrefix = newQueuePrefix('redis-product');
  let product: RedisMemorySide;
  const producer = createProducerQueue({ REDIS_URL, QUEUE_PREFIX: productPrefix });
  try {
    await producer.waitUntilReady();
    const enqueuer = new WebhookEnqueuer(producer, { WEBHOOK_RETRY_BASE_DELAY_MS: 5_000 });
    // Called as the receiver calls it: the row, then the labels it passes along (request id, event type).
    product = await measure('product', jobs, (id) => enqueuer.enqueueApply({ id, receivedAtUs: RECEIVED_AT_US }, randomUUID(), 'daily'), productPrefix, context);
  } finally {
    await producer.close();
    await purgeQueuePrefix(productPrefix);
  }

  const floorPrefix = newQueuePrefix('redis-floor');
  let floor: RedisMemorySide;
  const queue = new Queue(QUEUE_NAME, { connection: redisOptions(), prefix: floorPrefix });
  try {
    await queue.waitUntilReady();
    floor = await measure(
      'floor',
      jobs,
      (id) => queue.add('apply-webhook-event', { eventId: id }, floorJobOptions(id, RECEIVED_AT_US)).then(() => true, () => false),
      floorPrefix,
      context,
    );
  } finally {
    await queue.close();
    await purgeQueuePrefix(floorPrefix);
  }
  return { product, floor };
}
