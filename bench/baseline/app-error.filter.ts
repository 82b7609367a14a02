import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { AppError } from '#common/errors';
import type { FastifyReply } from 'fastify';

/** Validation failures arrive as AppError; answer them with their status, like the gateway does. */
@Catch()
export class AppErrorFilter implements ExceptionFilter {
  catch(error: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (error instanceof AppError)
      return void reply.status(error.status).send({ statusCode: error.status, code: error.code, message: error.detail });
    const status = error instanceof HttpException ? error.getStatus() : 500;
    void reply.status(status).send({ statusCode: status, message: error instanceof Error ? error.message : 'error' });
  }
}
