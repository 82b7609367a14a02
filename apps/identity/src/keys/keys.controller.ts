import { Controller } from '@nestjs/common';
import { IdentityMessage } from '../identity.handlers.js';
import { IdentityPatterns, type PublicKeySet } from '#contracts/identity';
import { SigningKeysService } from './signing-keys.service.js';

@Controller()
export class KeysController {
  constructor(private readonly keys: SigningKeysService) {}

  @IdentityMessage(IdentityPatterns.PublicKeys)
  publicKeys(): Promise<PublicKeySet> {
    return this.keys.publicKeys();
  }
}
