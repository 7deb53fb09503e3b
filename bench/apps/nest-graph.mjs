// The control of ./module-cost.mjs's import: the Nest packages the library imports, and nothing
// else, so that importing this file walks the same module graph as importing the library does.
export * as common from '@nestjs/common';
export * as core from '@nestjs/core';
export * as schedule from '@nestjs/schedule';
