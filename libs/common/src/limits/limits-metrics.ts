import { Counter, Gauge, register, type Metric } from 'prom-client';

/** A metric is registered once per process, however many stores and limiters (or specs) ask for it. */
function once<M extends Metric>(name: string, create: () => M): M {
  return (register.getSingleMetric(name) as M | undefined) ?? create();
}

export const storeUpGauge = () =>
  once(
    'rate_limit_store_up',
    () =>
      new Gauge({
        name: 'rate_limit_store_up',
        help: '1 while the rate limits are counted in Redis (shared by every replica); 0 while Redis is unreachable and this process counts them in its own memory',
      }),
  );

export const fallbackCounter = () =>
  once(
    'rate_limit_fallback_total',
    () =>
      new Counter({
        name: 'rate_limit_fallback_total',
        help: 'Limit operations answered from this process memory because Redis was unreachable, by limit',
        labelNames: ['limit'],
      }),
  );
