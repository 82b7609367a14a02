import { IsOptional, IsUUID } from 'class-validator';

/** `identity.revoke_user_sessions`: end every session of a user, or every one but the caller's own. */
export class RevokeUserSessionsDto {
  @IsUUID()
  userId: string;

  /** Kept alive: the session that asked (a password change keeps the current device signed in). */
  @IsOptional()
  @IsUUID()
  exceptSessionId?: string;
}
