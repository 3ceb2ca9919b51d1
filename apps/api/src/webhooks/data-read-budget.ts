import type { Provider } from '@nestjs/common';
import { APP_CONFIG, parseByteSize, type AppConfig } from '@terra-connections/config';
import { InflightBudget } from '@terra-connections/webhook-ingest';

/** The API process's budget of health data payload bytes held by /data pages being sent (DATA_READ_INFLIGHT_BYTES). */
export const DATA_READ_BUDGET = Symbol('DATA_READ_BUDGET');

export const dataReadBudgetProvider: Provider = {
  provide: DATA_READ_BUDGET,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig) => new InflightBudget(parseByteSize(config.DATA_READ_INFLIGHT_BYTES)),
};
