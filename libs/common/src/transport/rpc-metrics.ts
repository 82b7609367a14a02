import { Histogram } from 'prom-client';

const rpcSeconds = new Histogram({
  name: 'rpc_client_duration_seconds',
  help: 'Time of one call to another service, by service, pattern and outcome (ok or the error code)',
  labelNames: ['service', 'pattern', 'outcome'],
  buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
});

export type RpcObserver = (service: string, pattern: string, outcome: string, seconds: number) => void;

export const observeRpc: RpcObserver = (service, pattern, outcome, seconds) => rpcSeconds.observe({ service, pattern, outcome }, seconds);
