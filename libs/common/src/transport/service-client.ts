import { Logger } from '@nestjs/common';
import type { ClientProxy } from '@nestjs/microservices';
import { ErrorCode, isErrorPayload } from '#contracts/errors';
import type { EventMap, MessageMap, PayloadOf, ReplyOf } from '#contracts/rpc';
import { setTimeout as sleep } from 'node:timers/promises';
import { firstValueFrom, timeout, TimeoutError } from 'rxjs';
import { AppError } from '../errors/app-error.js';
import { requestContext } from '../observability/request-context.js';
import { withDeadline } from './call-metadata.js';
import { observeRpc, type RpcObserver } from './rpc-metrics.js';

const CONNECTION_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/** NATS: no replica subscribed (Nest's empty reply for "no responders"), no connection to the NATS server, or one it refused (credentials). */
const NATS_UNREACHABLE = new Set([
  'EmptyResponseException',
  'NoRespondersError',
  'ConnectionError',
  'ClosedConnectionError',
  'DrainingConnectionError',
  'AuthorizationError',
]);

/**
 * What Nest's TCP client fails the calls waiting for their replies with when
 * the connection closes (its NATS client, only when it is closed itself: a
 * lost NATS connection leaves its calls to time out). A call failed so may
 * have reached the service, or (a write dropped on a closing socket) not.
 */
const LOST_WHILE_WAITING = 'Connection closed';

const lostWhileWaiting = (error: unknown) => error instanceof Error && error.message === LOST_WHILE_WAITING;

function isConnectionError(error: unknown): boolean {
  // Nest's NATS client rejects with this string while it reconnects.
  if (typeof error === 'string') return error.includes('Connection lost');
  if (!(error instanceof Error)) return false;
  if (NATS_UNREACHABLE.has(error.constructor.name) || NATS_UNREACHABLE.has(error.name)) return true;
  const code = (error as NodeJS.ErrnoException).code;
  return (
    (code !== undefined && (CONNECTION_ERRORS.has(code) || code.startsWith('ERR_TLS') || code.includes('CERT'))) || lostWhileWaiting(error)
  );
}

/**
 * A call that was sent and never answered: too slow (504), or its connection
 * lost while it waited (503). Unlike a refusal, it may have taken effect, so a
 * caller that must not leave its work half done undoes it, once it has settled.
 */
export class NoReply extends AppError {
  constructor(
    code: ErrorCode,
    detail: string,
    /** The deadline the call carried: past it the service commits nothing for it, and undoes a commit that returns later. */
    readonly settlesAt: number,
  ) {
    super(code, detail);
  }

  /**
   * Resolves once the call can no longer take effect. An undo sent sooner
   * (a connection lost early) could overtake the work still going on, find
   * nothing, and leave what that work then commits.
   */
  settled(): Promise<void> {
    const wait = this.settlesAt - Date.now();
    // A millisecond more: timers run on another clock than Date.now, and may fire up to one early by it.
    return wait > 0 ? sleep(wait + 1) : Promise.resolve();
  }
}

/**
 * The only way one app reaches another, typed by the callee's contract:
 * the pattern decides the payload and the reply. Every call has a deadline,
 * sent with it, and every failure comes out as an AppError the HTTP filter can
 * render: the service's own error, 503 when it cannot be reached, 504 when it
 * is too slow.
 */
export class ServiceClient<M extends MessageMap, E extends EventMap> {
  private readonly logger: Logger;

  constructor(
    private readonly proxy: ClientProxy,
    private readonly service: string,
    private readonly timeoutMs: number,
    private readonly observe: RpcObserver = observeRpc,
  ) {
    this.logger = new Logger(`${service}-client`);
  }

  /**
   * Request/reply. Pass `retry` only for idempotent calls: it re-sends once
   * after a connection error. A `cleanup` (undoing what a failed request did)
   * is sent even when the request's client has gone.
   */
  async send<P extends keyof M & string>(
    pattern: P,
    payload: PayloadOf<M, P>,
    { retry = false, cleanup = false } = {},
  ): Promise<ReplyOf<M, P>> {
    // A request whose client has gone is not worked on: nobody would read the answer.
    if (!cleanup && requestContext.clientGone()) {
      this.observe(this.service, pattern, 'client_gone', 0);
      throw new AppError(ErrorCode.ClientClosedRequest, 'The client closed the connection');
    }
    let first: unknown;
    let deadline = this.deadline();
    try {
      return await this.attempt(pattern, payload, deadline);
    } catch (error) {
      if (!retry || !isConnectionError(error)) throw this.translate(error, pattern, deadline);
      first = error;
    }
    deadline = this.deadline();
    try {
      return await this.attempt(pattern, payload, deadline);
    } catch (error) {
      // A first attempt that may have taken effect still may have, unless the service has answered since.
      throw this.translate(lostWhileWaiting(first) && !isErrorPayload(error) ? first : error, pattern, deadline);
    }
  }

  /** Fire-and-forget: a lost event is logged, never thrown at the request that caused it. */
  emit<P extends keyof E & string>(pattern: P, payload: E[P]): void {
    this.proxy.emit(pattern, payload).subscribe({
      error: (error: unknown) => this.logger.warn(`Event ${pattern} not delivered to ${this.service}: ${describe(error)}`),
    });
  }

  /** The deadline a call sent now carries: a little before this client stops waiting (replyAllowanceMs). */
  private deadline(): number {
    return Date.now() + this.timeoutMs - replyAllowanceMs(this.timeoutMs);
  }

  private async attempt<P extends keyof M & string>(pattern: P, payload: PayloadOf<M, P>, deadline: number): Promise<ReplyOf<M, P>> {
    const started = performance.now();
    let outcome = 'ok';
    try {
      const reply$ = this.proxy.send<ReplyOf<M, P>>(pattern, payload).pipe(timeout(this.timeoutMs));
      return await withDeadline(deadline, () => firstValueFrom(reply$));
    } catch (error) {
      outcome = isErrorPayload(error)
        ? error.code
        : error instanceof TimeoutError
          ? 'timeout'
          : lostWhileWaiting(error)
            ? 'lost'
            : 'unreachable';
      throw error;
    } finally {
      this.observe(this.service, pattern, outcome, (performance.now() - started) / 1000);
    }
  }

  private translate(error: unknown, pattern: string, deadline: number): AppError {
    if (isErrorPayload(error)) return AppError.fromPayload(error);
    if (error instanceof TimeoutError) {
      return new NoReply(ErrorCode.UpstreamTimeout, `The ${this.service} service did not answer in time`, deadline);
    }
    if (isConnectionError(error)) {
      this.logger.warn(`${pattern}: ${this.service} unreachable (${describe(error)})`);
      const unavailable = `The ${this.service} service is unavailable`;
      return lostWhileWaiting(error)
        ? new NoReply(ErrorCode.ServiceUnavailable, unavailable, deadline)
        : new AppError(ErrorCode.ServiceUnavailable, unavailable);
    }
    this.logger.error(`${pattern}: unexpected reply from ${this.service}: ${describe(error)}`);
    return AppError.internal();
  }
}

/**
 * The deadline sent with a call is this much earlier than the caller's own
 * timeout, so that work a service commits just before its deadline still has
 * time to travel back: a commit the caller never hears of would be an orphan.
 */
export function replyAllowanceMs(timeoutMs: number): number {
  return Math.min(250, Math.floor(timeoutMs / 10));
}

function describe(error: unknown): string {
  if (error instanceof Error) return (error as NodeJS.ErrnoException).code ?? error.message;
  return typeof error === 'object' ? JSON.stringify(error) : String(error);
}
