import { z } from 'zod';
import { pageOf } from './common.js';

export const Role = z.enum(['customer', 'admin']);
export type Role = z.infer<typeof Role>;

/** Emails are compared trimmed and lower-cased: `Ann@Example.com ` and `ann@example.com` are one account. */
export const Email = z.string().trim().toLowerCase().max(254).pipe(z.email('must be an email address'));

/** Long passphrases are welcome; the upper bound only keeps hashing cheap for the server. */
export const Password = z.string().min(10, 'must be at least 10 characters').max(256);

/** Printable text: control characters (NUL above all, which PostgreSQL refuses in text) are a 400. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const noControlCharacters = /^[^\u0000-\u001f\u007f]*$/;
const PlainText = (max: number) =>
  z.string().trim().min(1, 'is required').max(max).regex(noControlCharacters, 'must not contain control characters');

export const User = z.object({
  id: z.uuid(),
  email: z.string(),
  name: z.string(),
  role: Role,
});
export type User = z.infer<typeof User>;

/** Unknown fields (a `role`, say) are refused: nobody signs themselves up as an admin. */
export const SignupRequest = z.strictObject({
  email: Email,
  password: Password,
  name: PlainText(100),
});
export type SignupRequest = z.infer<typeof SignupRequest>;

export const LoginRequest = z.strictObject({
  email: Email,
  password: z.string().min(1).max(256),
});
export type LoginRequest = z.infer<typeof LoginRequest>;

const RefreshToken = z.string().min(20).max(200);

export const RefreshRequest = z.strictObject({ refreshToken: RefreshToken });
export type RefreshRequest = z.infer<typeof RefreshRequest>;

/** With a refresh token, that session ends; without one, every session of the user ends. */
export const LogoutRequest = z.strictObject({ refreshToken: RefreshToken.optional() });
export type LogoutRequest = z.infer<typeof LogoutRequest>;

export const AuthResponse = z.object({
  user: User,
  /** EdDSA JWT for `Authorization: Bearer`, valid 15 minutes. */
  accessToken: z.string(),
  /** Opaque, single use: each refresh answers with a new one. */
  refreshToken: z.string(),
  accessTokenExpiresIn: z.number().int().optional(),
});
export type AuthResponse = z.infer<typeof AuthResponse>;

export const MeResponse = z.object({ user: User });
export type MeResponse = z.infer<typeof MeResponse>;

export const UpdateUserRequest = z.strictObject({ role: Role });
export type UpdateUserRequest = z.infer<typeof UpdateUserRequest>;

export const AdminUser = User.extend({ createdAt: z.iso.datetime() });
export type AdminUser = z.infer<typeof AdminUser>;
export const AdminUserPage = pageOf(AdminUser);
export type AdminUserPage = z.infer<typeof AdminUserPage>;

export const AdminUsersQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(200).optional(),
  role: Role.optional(),
  email: z.string().trim().toLowerCase().max(254).regex(noControlCharacters, 'must not contain control characters').optional(),
});
export type AdminUsersQuery = z.infer<typeof AdminUsersQuery>;
