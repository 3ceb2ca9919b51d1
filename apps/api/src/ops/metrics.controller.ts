import { Controller, Get, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { MetricsService } from '@terra-connections/observability';

/** Prometheus text exposition. No API key: keep /metrics (like /docs) off the public ingress. */
@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  async scrape(@Res() res: Response): Promise<void> {
    const { contentType, body } = await this.metrics.render();
    // res.end, not res.send: express would rewrite the content type Prometheus negotiates on.
    res.status(200).setHeader('content-type', contentType);
    res.end(body);
  }
}
