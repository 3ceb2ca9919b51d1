import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DelayedError, Queue, Worker, type Job } from 'bullmq';
import { APP_CONFIG, type AppConfig } from '@terra-connections/config';
import { EventDeliverer, EventDispatcher, EventSender } from '@terra-connections/event-delivery';
import {
  EVENT_DELIVERY_BACKOFF_TYPE,
  EVENT_DELIVERY_QUEUE,
  eventDeliveryRetryDelay,
  redisConnectionOptions,
  replayRoundOf,
  throttledWarning,
  type DeliverEventPayload,
} from '@terra-connections/queue';
import { DataSource } from 'typeorm';

/** How long (plus as much jitter) a delivery waits in Redis when its endpoint has its share and its queue full. */
const ENDPOINT_BUSY_DELAY_MS = 50;

/** The worker's slots taken by sends and by deliveries waiting in-process, over every endpoint. */
class SlotUse {
  sending = 0;
  waiting = 0;

  /** A delivery may wait in-process only while one share of slots stays free for the other endpoints. */
  constructor(readonly waitWhileBelow: number) {}

  mayWait(): boolean {
    return this.sending + this.waiting + 1 <= this.waitWhileBelow;
  }
}

/** One endpoint's in-flight deliveries (at most `active`) and the deliveries queued in-process behind them. */
class EndpointSlots {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly active: number,
    private readonly use: SlotUse,
  ) {}

  /** False when the share is taken and waiting would leave the other endpoints less than a share: give the slot back. */
  acquire(): Promise<boolean> {
    if (this.running < this.active) {
      this.running += 1;
      this.use.sending += 1;
      return Promise.resolve(true);
    }
    if (!this.use.mayWait()) return Promise.resolve(false);
    this.use.waiting += 1;
    return new Promise((resolve) => this.waiting.push(() => resolve(true)));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) {
      // The waiter takes over the send slot it was waiting for.
      this.use.waiting -= 1;
      next();
    } else {
      this.running -= 1;
      this.use.sending -= 1;
    }
  }

  get idle(): boolean {
    return this.running === 0 && this.waiting.length === 0;
  }
}

/**
 * The outbound side of the worker: a dispatcher pass every EVENT_DISPATCH_INTERVAL_MS (outbox -> delivery
 * jobs) and a BullMQ worker on the deliveries queue. Its own queue and worker, so Terra's webhooks never wait
 * behind a slow endpoint; at most EVENT_DELIVERY_PER_ENDPOINT of the EVENT_DELIVERY_CONCURRENCY slots send to
 * one endpoint at a time, more wait in-process behind them only while a share of slots stays free for the
 * other endpoints, and a job beyond that goes back to the delayed set for a moment (without using an attempt),
 * so slow endpoints never hold every slot.
 */
@Injectable()
export class EventDeliveryRunner implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(EventDeliveryRunner.name);
  private readonly endpointSlots = new Map<string, EndpointSlots>();
  private readonly slotUse: SlotUse;
  private queue?: Queue;
  private worker?: Worker;
  private sender?: EventSender;
  private timer?: NodeJS.Timeout;
  private pass?: Promise<unknown>;
  private stopping = false;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.slotUse = new SlotUse(config.EVENT_DELIVERY_CONCURRENCY - config.EVENT_DELIVERY_PER_ENDPOINT);
  }

  onApplicationBootstrap(): void {
    const connection = redisConnectionOptions(this.config.REDIS_URL);
    this.queue = new Queue(EVENT_DELIVERY_QUEUE, { connection, prefix: this.config.QUEUE_PREFIX });
    this.queue.on('error', () => undefined); // the worker's error handler reports Redis trouble once
    this.sender = new EventSender({ allowPrivate: this.config.EVENT_ENDPOINTS_ALLOW_PRIVATE, timeoutMs: this.config.EVENT_DELIVERY_TIMEOUT_MS });
    const deliverer = new EventDeliverer(this.dataSource, this.sender, {
      secretsKey: this.config.EVENT_SECRETS_KEY,
      retryScale: this.config.EVENT_DELIVERY_RETRY_SCALE,
    });
    const dispatcher = new EventDispatcher(this.dataSource, this.queue);
    const scale = this.config.EVENT_DELIVERY_RETRY_SCALE;
    this.worker = new Worker(EVENT_DELIVERY_QUEUE, (job, token) => this.process(deliverer, job, token), {
      connection,
      prefix: this.config.QUEUE_PREFIX,
      concurrency: this.config.EVENT_DELIVERY_CONCURRENCY,
      // A worker killed mid-delivery: its job's lock expires and the stalled-job check of any live worker
      // puts it back (at least once; the delivery row is still pending).
      lockDuration: this.config.EVENT_DELIVERY_LOCK_MS,
      stalledInterval: this.config.EVENT_DELIVERY_LOCK_MS,
      settings: {
        backoffStrategy: (attemptsMade: number, type?: string) =>
          type === EVENT_DELIVERY_BACKOFF_TYPE ? eventDeliveryRetryDelay(attemptsMade, scale) : 1_000,
      },
    });
    const warnOfWorkerError = throttledWarning(this.logger);
    this.worker.on('error', (error) => warnOfWorkerError(`Event delivery worker error: ${error.message}`));
    const tick = () => {
      if (this.stopping) return;
      this.pass = dispatcher.dispatchSafely().finally(() => {
        if (!this.stopping) this.timer = setTimeout(tick, this.config.EVENT_DISPATCH_INTERVAL_MS);
      });
    };
    tick();
  }

  private async process(deliverer: EventDeliverer, job: Job<DeliverEventPayload>, token?: string): Promise<unknown> {
    const { deliveryId } = job.data;
    const round = replayRoundOf(job.id);
    // A job of an older round stops here, before it takes a slot.
    const endpoint = await deliverer.endpointOf(deliveryId, round);
    if (endpoint === null) return 'skipped';
    const slots = this.slotsOf(endpoint);
    if (!(await slots.acquire())) {
      await job.moveToDelayed(Date.now() + ENDPOINT_BUSY_DELAY_MS + Math.floor(Math.random() * ENDPOINT_BUSY_DELAY_MS), token);
      throw new DelayedError();
    }
    try {
      return await deliverer.deliver(deliveryId, job.attemptsMade + 1, round);
    } finally {
      slots.release();
      if (slots.idle) this.endpointSlots.delete(endpoint);
    }
  }

  private slotsOf(endpoint: string): EndpointSlots {
    let slots = this.endpointSlots.get(endpoint);
    if (!slots) {
      // Queued behind its own in-flight deliveries, an endpoint keeps its share busy without a trip through
      // Redis per delivery; a delivery waits only while a share of slots stays free, however many endpoints are slow.
      slots = new EndpointSlots(this.config.EVENT_DELIVERY_PER_ENDPOINT, this.slotUse);
      this.endpointSlots.set(endpoint, slots);
    }
    return slots;
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    await this.pass?.catch(() => undefined);
    await this.worker?.close();
    await this.queue?.close();
    this.sender?.close();
  }
}
