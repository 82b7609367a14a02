import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { ClientProxyFactory, type ClientProxy } from '@nestjs/microservices';
import { clientTransport, ServiceClient, stampPacket } from '#common/transport';
import type { MailEventPayloads, MailMessages } from '#contracts/mail';
import type { UserPublishedEvents } from '#contracts/user';
import { UserConfig } from '../user.config.js';

/** The user service's one outgoing connection: to the mail service (TCP), or to the NATS bus. */
@Injectable()
export class OutgoingProxy implements OnApplicationShutdown {
  readonly proxy: ClientProxy;

  constructor(config: UserConfig) {
    this.proxy = ClientProxyFactory.create(clientTransport('user', { host: config.MAIL_HOST, port: config.MAIL_PORT }, config));
    this.proxy.setOnDispatchHook(stampPacket);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.proxy.close();
  }
}

/** `mail.send`, acknowledged once the SMTP server accepted the mail. */
@Injectable()
export class MailClient extends ServiceClient<MailMessages, MailEventPayloads> {
  constructor(outgoing: OutgoingProxy, config: UserConfig) {
    super(outgoing.proxy, 'mail', config.MAIL_TIMEOUT_MS);
  }
}

/**
 * `user.registered` and `user.deleted`, fire-and-forget for any consumer.
 * Under NATS they are published on the bus, where anyone may subscribe;
 * TCP is point to point and has no bus, so there they are not sent at all
 * (README, "Design choices").
 */
@Injectable()
export class UserEventsPublisher {
  private readonly client: ServiceClient<Record<never, never>, UserPublishedEvents> | undefined;

  constructor(outgoing: OutgoingProxy, config: UserConfig) {
    this.client = config.TRANSPORT === 'nats' ? new ServiceClient(outgoing.proxy, 'bus', config.MAIL_TIMEOUT_MS) : undefined;
  }

  publish<P extends keyof UserPublishedEvents & string>(event: P, payload: UserPublishedEvents[P]): void {
    this.client?.emit(event, payload);
  }
}
