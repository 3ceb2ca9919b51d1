import { Global, Module } from '@nestjs/common';
import { MetricsService } from './metrics.service';

/** One MetricsService (one registry) per process, injectable everywhere. */
@Global()
@Module({ providers: [MetricsService], exports: [MetricsService] })
export class MetricsModule {}
