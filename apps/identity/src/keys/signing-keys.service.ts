import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { PublicKeySet } from '#contracts/identity';
import type { Repository } from 'typeorm';
import { lockInTransaction, SIGNING_KEY_LOCK } from '#common/database';
import { IdentityConfig } from '../identity.config.js';
import { PublishedKeys } from './published-keys.js';
import { readSigningKeyFile } from './signing-key-file.js';
import { SigningKey } from './signing-key.entity.js';

export interface ActiveKey {
  kid: string;
  /** A KeyObject, not a PEM: jsonwebtoken would re-parse a PEM on every signature. */
  privateKey: KeyObject;
}

@Injectable()
export class SigningKeysService implements OnModuleInit {
  private readonly logger = new Logger(SigningKeysService.name);
  private active: ActiveKey;

  constructor(
    private readonly config: IdentityConfig,
    @InjectRepository(SigningKey) private readonly keys: Repository<SigningKey>,
    private readonly published: PublishedKeys,
  ) {}

  async onModuleInit(): Promise<void> {
    // The configuration has already checked that the file holds an ES256 key.
    const privateKey = this.config.JWT_PRIVATE_KEY_FILE
      ? (readSigningKeyFile(this.config.JWT_PRIVATE_KEY_FILE) as KeyObject)
      : await this.developmentKey();
    const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
    const kid = thumbprint(jwk);
    this.active = { kid, privateKey };
    await this.published.start(kid, jwk);
  }

  activeKey(): ActiveKey {
    return this.active;
  }

  /** This key and any other whose tokens may still be live (see PublishedKeys). */
  publicKeys(): Promise<PublicKeySet> {
    return this.published.current();
  }

  /**
   * The stored development key, or a new one. Under an advisory lock, so of
   * several replicas starting on an empty database one generates it and the
   * others read it: all sign with the same key.
   */
  private developmentKey(): Promise<KeyObject> {
    return this.keys.manager.transaction(async (manager) => {
      await lockInTransaction(manager, SIGNING_KEY_LOCK);
      const [stored] = await manager.find(SigningKey, { order: { createdAt: 'DESC' }, take: 1 });
      if (stored) return createPrivateKey(stored.privateKey);
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
      await manager.insert(SigningKey, { kid: thumbprint(jwk), privateKey: privateKey.export({ format: 'pem', type: 'pkcs8' }) as string });
      this.logger.warn('Generated a development signing key; production needs JWT_PRIVATE_KEY_FILE');
      return privateKey;
    });
  }
}

/** RFC 7638 JWK thumbprint: a stable key id derived from the public key. */
function thumbprint(jwk: { crv?: string; kty?: string; x?: string; y?: string }): string {
  const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y });
  return createHash('sha256').update(canonical).digest('base64url');
}
