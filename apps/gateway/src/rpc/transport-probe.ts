import type { NatsConnection } from '@nats-io/transport-node';
import type { ClientProxy } from '@nestjs/microservices';
import type { TransportName } from '#common/transport';

const PROBE_TIMEOUT_MS = 1_000;

/** Whether the gateway's link to the message broker works: under NATS, a round trip to the NATS server. */
export class TransportProbe {
  constructor(
    readonly transport: TransportName,
    private readonly proxy: ClientProxy,
  ) {}

  /** Resolves once the server answered; rejects when it does not answer within a second. */
  async check(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('no answer from NATS')), PROBE_TIMEOUT_MS);
    });
    try {
      return await Promise.race([this.roundTrip(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async roundTrip(): Promise<void> {
    const connection = (await this.proxy.connect()) as NatsConnection;
    await connection.flush();
  }
}
