import { IsInt, IsOptional, IsUUID, Min } from 'class-validator';
import { SessionClientDto } from './session-client.dto.js';

/** `identity.issue_tokens`: a new session for a user whose password was just checked. */
export class IssueTokensDto extends SessionClientDto {
  @IsUUID()
  userId: string;

  /**
   * The user's `SessionOwner.credentialsVersion` when the password was checked.
   * Optional for a gateway from before the count (a rolling deploy): its sessions begin under 0.
   */
  @IsOptional()
  @IsInt()
  @Min(0)
  credentialsVersion?: number;

  /**
   * The new session's id, chosen by the caller so that it can end the session
   * should the reply not reach it. Optional for an older gateway.
   */
  @IsOptional()
  @IsUUID()
  sessionId?: string;
}
