import { IsUUID } from 'class-validator';

export class IssueTokensDto {
  @IsUUID()
  userId: string;
}
