import { IsInt, IsOptional, IsUUID, Min } from 'class-validator';

/** `identity.revoke_user_sessions`: end every session of a user, or every one but the caller's own. */
export class RevokeUserSessionsDto {
  @IsUUID()
  userId: string;

  /** Kept alive: the session that asked (a password change keeps the current device signed in). */
  @IsOptional()
  @IsUUID()
  exceptSessionId?: string;

  /** After a password change in the kept session: the credentials version it continues under. */
  @IsOptional()
  @IsInt()
  @Min(0)
  credentialsVersion?: number;
}
