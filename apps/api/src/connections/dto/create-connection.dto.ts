import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  IsArray,
  IsBoolean,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
} from 'class-validator';
import {
  IsAbsoluteUrl,
  NotTogetherWith,
  PROVIDER_MESSAGE,
  PROVIDER_PATTERN,
  REFERENCE_ID_MESSAGE,
  REFERENCE_ID_PATTERN,
  toUpperCase,
  toUpperCaseList,
} from './dto-validators';

// class-validator runs the decorator nearest the property first and the pipe stops at the first failure per
// field, so the type check sits at the bottom: `reference_id: 5` reads "must be a string", not "too long".

/** `POST /v1/connections`: `provider` gives a direct auth link, otherwise a widget session (optionally limited to `providers`). */
export class CreateConnectionDto {
  @ApiProperty({ maxLength: 255, description: 'Your id of the person connecting', example: 'user_123' })
  @Matches(REFERENCE_ID_PATTERN, { message: REFERENCE_ID_MESSAGE })
  @MaxLength(255)
  @IsNotEmpty()
  @IsString()
  reference_id!: string;

  @ApiPropertyOptional({
    pattern: PROVIDER_PATTERN.source,
    description: "A direct link to this provider's login (upper-cased; see GET /v1/providers). Not with `providers`.",
    example: 'FITBIT',
  })
  @IsOptional()
  @NotTogetherWith('providers', 'give provider for a direct auth link, or providers for the widget')
  @Matches(PROVIDER_PATTERN, { message: PROVIDER_MESSAGE('provider') })
  @IsString()
  @Transform(toUpperCase)
  provider?: string;

  @ApiPropertyOptional({
    type: [String],
    maxItems: 50,
    description: 'A widget session limited to these providers (a JSON array or a comma-separated string). Not with `provider`.',
    example: ['GARMIN', 'OURA'],
  })
  @IsOptional()
  @Matches(PROVIDER_PATTERN, { each: true, message: PROVIDER_MESSAGE('providers') })
  @IsString({ each: true })
  @ArrayMaxSize(50)
  @ArrayNotEmpty()
  @IsArray()
  @Transform(toUpperCaseList)
  providers?: string[];

  @ApiPropertyOptional({ maxLength: 2048, description: 'Where Terra sends the person after connecting (app deep links allowed); default: our /connect/success page', example: 'https://app.example/connected' })
  @IsOptional()
  @MaxLength(2048)
  @IsAbsoluteUrl()
  success_url?: string;

  @ApiPropertyOptional({ maxLength: 2048, description: 'Where Terra sends the person when connecting fails; default: our /connect/failure page' })
  @IsOptional()
  @MaxLength(2048)
  @IsAbsoluteUrl()
  failure_url?: string;

  @ApiPropertyOptional({ description: 'Language of the widget', example: 'pt-BR' })
  @IsOptional()
  @Matches(/^[a-zA-Z]{2,3}([-_][a-zA-Z0-9]{2,8})?$/, { message: 'language must be a language code like en or pt-BR' })
  @IsString()
  language?: string;

  @ApiPropertyOptional({ description: 'Widget only: connect several providers in one session' })
  @IsOptional()
  @NotTogetherWith('provider', 'multi_auth applies to widget sessions only')
  @IsBoolean()
  multi_auth?: boolean;
}
