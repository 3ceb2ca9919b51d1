import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, Matches, MaxLength } from 'class-validator';
import { REFERENCE_ID_MESSAGE, REFERENCE_ID_PATTERN } from './dto-validators';

/** `POST /v1/connections/mobile-token`. Type checks sit nearest the property: they run first. */
export class MobileTokenDto {
  @ApiProperty({ maxLength: 255, description: 'Your id of the person connecting', example: 'user_123' })
  @Matches(REFERENCE_ID_PATTERN, { message: REFERENCE_ID_MESSAGE })
  @MaxLength(255)
  @IsNotEmpty()
  @IsString()
  reference_id!: string;
}
