import { Module } from '@nestjs/common';
import { ConnectResultPagesController } from './connect-result-pages.controller';
import { ResultPageUrls } from './result-page-urls';

@Module({
  controllers: [ConnectResultPagesController],
  providers: [ResultPageUrls],
  exports: [ResultPageUrls],
})
export class ConnectResultPagesModule {}
