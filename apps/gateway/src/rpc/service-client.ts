import { Logger } from '@nestjs/common';
import type { ClientProxy } from '@nestjs/microservices';
import { AppError } from '#common';
import { ErrorCode, isErrorPayload } from '#contracts';
import { firstValueFrom, timeout, TimeoutError } from 'rxjs';
import { observeRpc, type RpcObserver } from './rpc-metrics.js';

const CONNECTION_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as NodeJS.ErrnoException).code;
  return (code !== undefined && (CONNECTION_ERRORS.has(code) || code.startsWith('ERR_TLS') || code.includes('CERT')))
    || error.message === 'Connection closed';
}

/**
 * The gateway's only way to reach a service. Every call has a deadline, and
 * every failure comes out as an AppError the HTTP filter can render: the
 * service's own error, 503 when it cannot be reached, 504 when it is too slow.
 */
export class ServiceClient {
  private readonly logger: Logger;

  constructor(
    private readonly proxy: ClientProxy,
    private readonly service: string,
    private readonly timeoutMs: number,
    private readonly observe: RpcObserver = observeRpc,
  ) {
    this.logger = new Logger(`${service}-client`);
  }

  /** Request/reply. Pass `retry` only for idempotent reads: it re-sends once after a connection error. */
  async send<T>(pattern: string, payload: unknown, { retry = false } = {}): Promise<T> {
    try {
      return await this.attempt<T>(pattern, payload);
    } catch (error) {
      if (!retry || !isConnectionError(error)) throw this.translate(error, pattern);
    }
    try {
      return await this.attempt<T>(pattern, payload);
    } catch (error) {
      throw this.translate(error, pattern);
    }
  }

  /** Fire-and-forget: a lost event is logged, never thrown at the request that caused it. */
  emit(pattern: string, payload: unknown): void {
    this.proxy.emit(pattern, payload).subscribe({
      error: (error: unknown) => this.logger.warn(`Event ${pattern} not delivered to ${this.service}: ${describe(error)}`),
    });
  }

  private async attempt<T>(pattern: string, payload: unknown): Promise<T> {
    const started = performance.now();
    let outcome = 'ok';
    try {
      return await firstValueFrom(this.proxy.send<T>(pattern, payload).pipe(timeout(this.timeoutMs)));
    } catch (error) {
      outcome = isErrorPayload(error) ? error.code : error instanceof TimeoutError ? 'timeout' : 'unreachable';
      throw error;
    } finally {
      this.observe(this.service, pattern, outcome, (performance.now() - started) / 1000);
    }
  }

  private translate(error: unknown, pattern: string): AppError {
    if (isErrorPayload(error)) return AppError.fromPayload(error);
    if (error instanceof TimeoutError) {
      return new AppError(504, ErrorCode.UpstreamTimeout, `The ${this.service} service did not answer in time`);
    }
    if (isConnectionError(error)) {
      this.logger.warn(`${pattern}: ${this.service} unreachable (${describe(error)})`);
      return AppError.serviceUnavailable(`The ${this.service} service`);
    }
    this.logger.error(`${pattern}: unexpected reply from ${this.service}: ${describe(error)}`);
    return AppError.internal();
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) return (error as NodeJS.ErrnoException).code ?? error.message;
  return typeof error === 'object' ? JSON.stringify(error) : String(error);
}

/** Typed handles so controllers and services inject `UserClient`, not a string token. */
export class UserClient extends ServiceClient {}
export class IdentityClient extends ServiceClient {}
