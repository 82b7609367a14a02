import { NatsContext } from '@nestjs/microservices';
import type { ExecutionContext } from '@nestjs/common';
import { incomingMetadata } from './call-metadata.js';
import { MetadataHeadersSerializer, natsClientOptions, natsServerOptions, wireFromHeaders } from './nats.js';

function rpcContext(context: unknown): ExecutionContext {
  return { switchToRpc: () => ({ getContext: () => context }) } as unknown as ExecutionContext;
}

describe('NATS transport', () => {
  it('moves the call metadata out of the body into headers', () => {
    const { data, headers } = new MetadataHeadersSerializer().serialize({
      id: '1',
      pattern: 'user.register',
      data: { username: 'a' },
      metadata: { requestId: 'req-1', deadline: '1700000000000' },
    } as never);
    expect(JSON.parse(data)).toEqual({ id: '1', pattern: 'user.register', data: { username: 'a' } });
    expect(wireFromHeaders(headers)).toEqual({ requestId: 'req-1', deadline: '1700000000000' });
  });

  it('sends no headers when there is no metadata', () => {
    expect(new MetadataHeadersSerializer().serialize({ pattern: 'p', data: {} }).headers).toBeUndefined();
  });

  it('lets services read the metadata from NatsContext headers, the same as from TCP packet metadata', () => {
    const { headers } = new MetadataHeadersSerializer().serialize({
      pattern: 'p',
      data: {},
      metadata: { requestId: 'req-2', deadline: '42' },
    } as never);
    expect(incomingMetadata(rpcContext(new NatsContext(['p', headers])))).toEqual({ requestId: 'req-2', deadline: 42 });
    expect(incomingMetadata(rpcContext(new NatsContext(['p', undefined])))).toEqual({ requestId: undefined, deadline: undefined });
  });

  it("presents NATS_URL's credentials on both sides, which nats.js would not read from the URL", () => {
    const url = 'nats://gatehouse:s3cret@a:4222, nats://b:4222';
    const expected = { servers: ['nats://a:4222', 'nats://b:4222'], user: 'gatehouse', pass: 's3cret' };
    expect(natsServerOptions('user', url)).toMatchObject(expected);
    expect(natsClientOptions('gateway', url).options).toMatchObject(expected);
  });
});
