import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { describeRace } from './helpers/race-suite.ts';

const dir = mkdtempSync(join(tmpdir(), 'factorkit-race-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeRace('SQLite (one file, WAL)', async () => ({ engine: 'sqlite', file: join(dir, 'race.sqlite') }));
