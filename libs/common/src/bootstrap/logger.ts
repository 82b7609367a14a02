import { ConsoleLogger, type LogLevel } from '@nestjs/common';
import type { BaseEnv, LogLevelName } from '../config/base.env.js';

const ORDER: LogLevelName[] = ['fatal', 'error', 'warn', 'info', 'debug', 'verbose'];
const NEST_LEVEL: Record<LogLevelName, LogLevel> = {
  fatal: 'fatal',
  error: 'error',
  warn: 'warn',
  info: 'log',
  debug: 'debug',
  verbose: 'verbose',
};

export function createLogger(app: string, env: BaseEnv): ConsoleLogger {
  const enabled = ORDER.slice(0, ORDER.indexOf(env.LOG_LEVEL) + 1).map((level) => NEST_LEVEL[level]);
  return new ConsoleLogger({ prefix: app, logLevels: enabled, json: !process.stdout.isTTY, colors: process.stdout.isTTY });
}
