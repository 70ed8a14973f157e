import { randomBytes } from 'node:crypto';
import { hash, verify, type Options } from '@node-rs/argon2';

/** OWASP's argon2id minimum (19 MiB, 2 passes): ~100 ms per hash on this class of machine. */
// `algorithm: 2` is Argon2id (the package's enum is a const enum, unusable with isolated modules).
const options: Options = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export type Passwords = {
  hash(password: string): Promise<string>;
  /** False for a wrong password or an unreadable hash; never throws. */
  verify(passwordHash: string, password: string): Promise<boolean>;
  /** Spends the time of a real verification, so an unknown email answers as slowly as a wrong password. */
  verifyAgainstDummy(password: string): Promise<void>;
};

export async function createPasswords(): Promise<Passwords> {
  const dummyHash = await hash(randomBytes(16).toString('hex'), options);
  const check = async (passwordHash: string, password: string) => {
    try {
      return await verify(passwordHash, password);
    } catch {
      return false;
    }
  };
  return {
    hash: (password) => hash(password, options),
    verify: check,
    async verifyAgainstDummy(password) {
      await check(dummyHash, password);
    },
  };
}
