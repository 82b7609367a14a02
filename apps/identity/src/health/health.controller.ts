import { Controller } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { checkDatabase } from '#common';
import { IdentityPatterns, type ServiceHealth } from '#contracts';
import { DataSource } from 'typeorm';

@Controller()
export class HealthController {
  constructor(private readonly dataSource: DataSource) {}

  @MessagePattern(IdentityPatterns.Health)
  check(): Promise<ServiceHealth> {
    return checkDatabase(this.dataSource);
  }
}
