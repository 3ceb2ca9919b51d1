import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

/** `POST /v1/connections/mobile-token`. Type checks sit nearest the property: they run first. */
export class MobileTokenDto {
  @ApiProperty({ maxLength: 255, description: 'Your id of the person connecting', example: 'user_123' })
  @MaxLength(255)
  @IsNotEmpty()
  @IsString()
  reference_id!: string;
}
