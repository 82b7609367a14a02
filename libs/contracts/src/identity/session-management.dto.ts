import { IsUUID } from 'class-validator';

/** `identity.list_sessions`: a user's active sessions, the caller's own marked `current`. */
export class ListSessionsDto {
  @IsUUID()
  userId: string;

  @IsUUID()
  currentSessionId: string;
}

/** `identity.revoke_session`: end one of the user's own sessions. */
export class RevokeSessionDto {
  @IsUUID()
  userId: string;

  @IsUUID()
  sessionId: string;
}
