import { Controller, HttpCode, Injectable, Module, Post } from '@nestjs/common';

/**
 * The app's database, reduced to what the test needs: a ping that fails while it is down.
 * `POST /db/down` and `POST /db/up` switch it, so the run can take it away and bring it back.
 */
@Injectable()
export class Database {
  private connected = true;

  async ping(): Promise<void> {
    // A query's round trip: the answer comes on a later turn of the event loop.
    await new Promise((resolve) => setImmediate(resolve));
    if (!this.connected) throw new Error('connection refused');
  }

  setConnected(connected: boolean): void {
    this.connected = connected;
  }
}

@Controller('db')
class DatabaseSwitchController {
  constructor(private readonly database: Database) {}

  @Post('down')
  @HttpCode(204)
  down(): void {
    this.database.setConnected(false);
  }

  @Post('up')
  @HttpCode(204)
  up(): void {
    this.database.setConnected(true);
  }
}

@Module({
  controllers: [DatabaseSwitchController],
  providers: [Database],
  exports: [Database],
})
export class DatabaseModule {}
