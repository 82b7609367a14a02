import { ConfigError } from '../config/load-config.js';
import { explainNatsRefusal, natsAddress, natsWhere } from './nats-url.js';

describe('natsAddress', () => {
  it('reads a comma-separated NATS_URL as a cluster', () => {
    expect(natsAddress('nats://a:4222, nats://b:4222')).toEqual({ servers: ['nats://a:4222', 'nats://b:4222'] });
  });

  it('takes a user and password out of the URL, percent-decoded', () => {
    expect(natsAddress('nats://gate%40house:p%3Ass%2Fw%25rd@nats:4222')).toEqual({
      servers: ['nats://nats:4222'],
      user: 'gate@house',
      pass: 'p:ss/w%rd',
    });
  });

  it('reads a name alone, or a password alone, as a token', () => {
    expect(natsAddress('tls://t0k3n@nats.example.com')).toEqual({ servers: ['tls://nats.example.com'], token: 't0k3n' });
    expect(natsAddress('nats://:t0k3n@nats:4222')).toEqual({ servers: ['nats://nats:4222'], token: 't0k3n' });
  });

  it('refuses credentials that are not percent-encoded, naming NATS_URL', () => {
    expect(() => natsAddress('nats://u:100%@nats:4222')).toThrow(/^NATS_URL has credentials that are not percent-encoded/);
  });

  it('takes the credentials given once for the whole cluster, or the same ones given on each URL', () => {
    const expected = { servers: ['nats://a:4222', 'nats://b:4222'], user: 'u', pass: 'p' };
    expect(natsAddress('nats://u:p@a:4222,nats://b:4222')).toEqual(expected);
    expect(natsAddress('nats://u:p@a:4222,nats://u:p@b:4222')).toEqual(expected);
  });

  it('refuses different credentials for servers of one cluster', () => {
    expect(() => natsAddress('nats://u:p@a:4222,nats://u:q@b:4222')).toThrow(/different credentials/);
  });
});

describe('natsWhere', () => {
  it('shows the servers without any credential', () => {
    expect(natsWhere('nats://u:s3cret@a:4222,nats://u:s3cret@b:4222')).toBe('nats://a:4222,nats://b:4222');
    expect(natsWhere('nats://t0k3n@a:4222')).not.toContain('t0k3n');
  });
});

describe('explainNatsRefusal', () => {
  const refusal = Object.assign(new Error('Authorization Violation'), { name: 'AuthorizationError' });

  it('turns a refused login into one line naming NATS_URL, without the password', () => {
    const explained = explainNatsRefusal(refusal, 'nats://gatehouse:s3cret@nats:4222');
    expect(explained).toBeInstanceOf(ConfigError);
    expect((explained as Error).message).toMatch(
      /^NATS at nats:\/\/nats:4222 refused the credentials in NATS_URL \(Authorization Violation\)/,
    );
    expect((explained as Error).message).not.toContain('s3cret');
  });

  it('says when no credentials were given at all', () => {
    expect((explainNatsRefusal(refusal, 'nats://nats:4222') as Error).message).toContain('refused a connection without credentials');
  });

  it('leaves any other error as it is', () => {
    const other = new Error('connect ECONNREFUSED');
    expect(explainNatsRefusal(other, 'nats://nats:4222')).toBe(other);
  });
});
