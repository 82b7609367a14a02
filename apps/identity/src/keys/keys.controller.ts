import { Controller } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { IdentityPatterns, type PublicKeySet } from '#contracts';
import { SigningKeysService } from './signing-keys.service.js';

@Controller()
export class KeysController {
  constructor(private readonly keys: SigningKeysService) {}

  @MessagePattern(IdentityPatterns.PublicKeys)
  publicKeys(): PublicKeySet {
    return this.keys.publicKeys();
  }
}
