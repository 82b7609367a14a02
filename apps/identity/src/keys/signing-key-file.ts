import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { registerDecorator } from 'class-validator';

/** The ES256 private key in a PEM file, or the reason it cannot be one. */
export function readSigningKeyFile(path: string): KeyObject | string {
  let pem: Buffer;
  let key: KeyObject;
  try {
    pem = readFileSync(path);
  } catch (error) {
    return `cannot read it (${(error as NodeJS.ErrnoException).code ?? 'error'})`;
  }
  try {
    key = createPrivateKey(pem);
  } catch {
    return 'not a PEM private key';
  }
  const es256 = key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1';
  return es256 ? key : 'not an EC P-256 (ES256) key';
}

/** Checked with the rest of the configuration, before anything else starts. */
export function IsSigningKeyFile(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isSigningKeyFile',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: (args) => `${args.property} cannot be used: ${String(readSigningKeyFile(args.value as string))}` },
      validator: { validate: (value: unknown) => typeof value === 'string' && typeof readSigningKeyFile(value) !== 'string' },
    });
}
