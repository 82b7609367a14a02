import { IsString, Matches } from 'class-validator';
import { BaseEnv, OptionalPort, Port } from './base.env.js';
import { ConfigError, loadConfig } from './load-config.js';

/** A small app config in the way every app declares its own. */
class ExampleConfig extends BaseEnv {
  @Port()
  EXAMPLE_PORT: number = 3000;

  @IsString()
  EXAMPLE_HOST: string = '127.0.0.1';

  @OptionalPort()
  EXAMPLE_METRICS_PORT: number = 9100;

  @Matches(/^postgres:\/\/.+/, { message: 'EXAMPLE_DATABASE_URL must be set to a postgres:// connection string' })
  EXAMPLE_DATABASE_URL: string;
}

const required = { EXAMPLE_DATABASE_URL: 'postgres://u@h/db' };

describe('loadConfig', () => {
  it('applies the class defaults', () => {
    expect(loadConfig(ExampleConfig, required)).toMatchObject({
      EXAMPLE_PORT: 3000,
      EXAMPLE_HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      NODE_ENV: 'development',
    });
  });

  it('converts numbers and treats an empty variable as unset', () => {
    expect(loadConfig(ExampleConfig, { ...required, EXAMPLE_PORT: '8080' }).EXAMPLE_PORT).toBe(8080);
    expect(loadConfig(ExampleConfig, { ...required, EXAMPLE_PORT: '' }).EXAMPLE_PORT).toBe(3000);
  });

  it('lets an optional port be 0, which turns it off', () => {
    expect(loadConfig(ExampleConfig, { ...required, EXAMPLE_METRICS_PORT: '0' }).EXAMPLE_METRICS_PORT).toBe(0);
  });

  it('drops variables it does not declare', () => {
    expect(loadConfig(ExampleConfig, { ...required, AWS_SECRET: 'x' })).not.toHaveProperty('AWS_SECRET');
  });

  it.each([
    [{}, 'EXAMPLE_DATABASE_URL'],
    [{ ...required, EXAMPLE_PORT: 'eighty' }, 'EXAMPLE_PORT'],
    [{ ...required, EXAMPLE_PORT: '70000' }, 'EXAMPLE_PORT'],
    [{ ...required, EXAMPLE_PORT: '0' }, 'EXAMPLE_PORT'],
    [{ ...required, EXAMPLE_METRICS_PORT: '-1' }, 'EXAMPLE_METRICS_PORT'],
    [{ ...required, EXAMPLE_METRICS_PORT: '65536' }, 'EXAMPLE_METRICS_PORT'],
    [{ ...required, LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ ...required, NODE_ENV: 'staging' }, 'NODE_ENV'],
    [{ ...required, TCP_TLS_CA: '/ca.pem' }, 'TCP_TLS_CERT'],
  ])('stops with one line naming the variable for %j', (env, variable) => {
    const attempt = () => loadConfig(ExampleConfig, env);
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(new RegExp(`^Invalid configuration: [^\\n]*\\b${variable}\\b[^\\n]*$`));
  });
});
