import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

/** `POST /v1/connections/mobile-token`. Type checks sit nearest the property: they run first. */
export class MobileTokenDto {
  @MaxLength(255)
  @IsNotEmpty()
  @IsString()
  reference_id!: string;
}
