import { Logger, Module, type OnModuleInit } from '@nestjs/common';
import { HealthModule } from '../health/health.module.js';
import { ChaosController } from './chaos.controller.js';

/** Endpoints that break the app on purpose. Imported only when SAMPLE_CHAOS=1. */
@Module({
  imports: [HealthModule],
  controllers: [ChaosController],
})
export class ChaosModule implements OnModuleInit {
  onModuleInit(): void {
    new Logger(ChaosModule.name).warn(
      'SAMPLE_CHAOS=1: /chaos endpoints can block, crash and fail this app; never enable in production',
    );
  }
}
