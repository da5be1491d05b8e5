import { writeSync } from 'node:fs';
import { token } from '../store-contract.ts';
import { type EngineDescriptor, openEngine } from './engines.ts';

const descriptor = JSON.parse(process.argv[2] as string) as EngineDescriptor;
const mode = process.argv[3] as 'hook' | 'free';
const rows = Array.from({ length: Number(process.argv[4]) }, (_, i) => token(i));
const block = new Int32Array(new SharedArrayBuffer(4));
const opened = await openEngine(
  descriptor,
  mode === 'hook'
    ? {
        // Every row is staged, nothing committed: say so, then hang until killed.
        beforeCommit: (op) => {
          if (op !== 'yubikey.insertMany') return;
          writeSync(1, 'staged\n');
          if (descriptor.engine === 'sqlite') Atomics.wait(block, 0, 0, 120_000); // synchronous store
          return new Promise<void>(() => {});
        },
      }
    : {},
);
writeSync(1, 'importing\n');
const result = await opened.store.yubikey.insertMany(rows);
writeSync(1, `done ${JSON.stringify(result)}\n`);
await opened.close();
