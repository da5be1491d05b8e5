/**
 * A one-line progress bar on a TTY stream, shown only once a run has taken more than a
 * second (short runs stay quiet), redrawn at most every 100 ms, erased when done.
 */
export interface Progress {
  readonly update: (done: number, total: number) => void;
  readonly done: () => void;
}

const WIDTH = 30;

export function createProgress(stream: NodeJS.WritableStream, now: () => number = Date.now): Progress {
  const started = now();
  let lastDraw = 0;
  let drawn = false;
  return {
    update(done: number, total: number): void {
      const t = now();
      if (t - started < 1000 || t - lastDraw < 100 || total === 0) return;
      lastDraw = t;
      drawn = true;
      const filled = Math.round((done / total) * WIDTH);
      stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${done}/${total}`);
    },
    done(): void {
      if (drawn) stream.write(`\r${' '.repeat(WIDTH + 24)}\r`);
    },
  };
}
