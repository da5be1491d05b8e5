import type { ExtraMeasurement } from '../model.ts';

export interface ExtraOptions {
  readonly quick: boolean;
  readonly selected: (id: string) => boolean;
  readonly log: (line: string) => void;
}

export async function extraMeasurements(_options: ExtraOptions): Promise<ExtraMeasurement[]> {
  return [];
}
