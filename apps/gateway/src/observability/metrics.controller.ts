import { Controller, Get, Header, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { metricsText } from '#common';
import type { FastifyReply } from 'fastify';

/** Prometheus text: HTTP and RPC latency histograms and the process metrics. Not part of the public API docs. */
@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  @Get()
  @Header('Cache-Control', 'no-store')
  async metrics(@Res() reply: FastifyReply): Promise<void> {
    const { contentType, body } = await metricsText();
    await reply.header('Content-Type', contentType).send(body);
  }
}
