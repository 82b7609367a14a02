import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';

export const SESSION_SCOPES = ['others', 'all'] as const;
export type SessionScope = (typeof SESSION_SCOPES)[number];

/** DELETE /sessions query. */
export class SessionScopeDto {
  @ApiPropertyOptional({ enum: SESSION_SCOPES, default: 'all', description: '`others` keeps the session of the token that asks.' })
  @IsOptional()
  @IsIn(SESSION_SCOPES)
  scope?: SessionScope;
}
