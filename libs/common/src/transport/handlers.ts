import { EventPattern, MessagePattern } from '@nestjs/microservices';
import type { EventMap, MessageMap, PayloadOf, ReplyOf } from '#contracts/rpc';

type Awaitable<T> = T | Promise<T>;
/** A method decorator that accepts only handlers of the shape `Handler`. */
type HandlerDecorator<Handler> = <H extends Handler>(target: object, key: string | symbol, descriptor: TypedPropertyDescriptor<H>) => void;

/**
 * `@MessagePattern` typed by a service's contract: the decorated handler must
 * take the pattern's payload and return its reply, or it fails to compile.
 *
 *   const UserMessage = messageHandlerOf<UserMessages>();
 *   @UserMessage(UserPatterns.Register) register(@Payload() dto: RegisterUserDto): Promise<UserView>
 */
export function messageHandlerOf<M extends MessageMap>() {
  return <P extends keyof M & string>(
      pattern: P,
    ): HandlerDecorator<(payload: PayloadOf<M, P>, ...context: never[]) => Awaitable<ReplyOf<M, P>>> =>
    (target, key, descriptor) =>
      MessagePattern(pattern)(target, key, descriptor as PropertyDescriptor);
}

/** `@EventPattern` typed the same way; an event handler returns nothing. */
export function eventHandlerOf<E extends EventMap>() {
  return <P extends keyof E & string>(pattern: P): HandlerDecorator<(payload: E[P], ...context: never[]) => Awaitable<void>> =>
    (target, key, descriptor) =>
      EventPattern(pattern)(target, key, descriptor as PropertyDescriptor);
}
