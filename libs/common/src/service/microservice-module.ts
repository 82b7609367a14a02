import type { DynamicModule, ModuleMetadata, Type } from '@nestjs/common';
import type { BaseEnv } from '../config/base.env.js';
import { loggingModule } from '../observability/logging.js';

/**
 * The root module of a microservice, as `startMicroservice` expects it: its
 * logging, its validated config (injectable by its class), then its own parts.
 */
export function microserviceModule(module: Type, app: string, config: BaseEnv, metadata: ModuleMetadata): DynamicModule {
  const { imports = [], providers = [], ...rest } = metadata;
  return {
    module,
    imports: [loggingModule(app, config), ...imports],
    providers: [{ provide: config.constructor, useValue: config }, ...providers],
    ...rest,
  };
}
