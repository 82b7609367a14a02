import { RegisterUserDto } from '#contracts/user';
import { AppError } from '../errors/app-error.js';
import { createValidationPipe } from './validation.js';

const pipe = createValidationPipe();
const validate = (value: unknown) => pipe.transform(value, { type: 'body', metatype: RegisterUserDto });

async function codeOf(value: unknown): Promise<string | undefined> {
  try {
    await validate(value);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return (error as AppError).code;
  }
}

describe('the validation pipe with RegisterUserDto', () => {
  const good = { username: 'alice_01', password: 'violet-Kettle-47-drift' };

  it('accepts a good registration', async () => {
    await expect(validate(good)).resolves.toBeInstanceOf(RegisterUserDto);
  });

  it.each([
    ['a 73-byte password', { password: 'é'.repeat(36) + 'x' }, 'PASSWORD_TOO_LONG'],
    ['a top-10k password', { password: 'iloveyou' }, 'PASSWORD_TOO_WEAK'],
    ['the username as password', { username: 'Kettle-Drift', password: 'kettle-drift' }, 'PASSWORD_TOO_WEAK'],
    ['an unknown field', { isAdmin: true }, 'VALIDATION_FAILED'],
    ['a bad username', { username: 'a b' }, 'VALIDATION_FAILED'],
  ])('reports %s as %s', async (_, overrides, code) => {
    expect(await codeOf({ ...good, ...overrides })).toBe(code);
  });

  it.each([[null], [undefined], ['a string'], [[good]]])('refuses a payload that is not an object: %j', async (value) => {
    expect(await codeOf(value)).toBe('VALIDATION_FAILED');
  });
});
