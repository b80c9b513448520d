// Simulated BMC fleets for the exporter's end-to-end tests, with the values
// each BMC holds computed from its model (not read back through our client).
import { startFleet, type BmcModel, type Fleet, type FleetDefinition } from '@bmc-exporter/bmc-sim';

/** The fleet plus its targets ("127.6.0.1:623") in fleet order. */
export interface TestFleet {
  fleet: Fleet;
  targets: string[];
  close(): Promise<void>;
}

export async function startTestFleet(def: FleetDefinition): Promise<TestFleet> {
  if (!def.baseAddress?.startsWith('127.6.')) throw new Error('exporter tests keep their fleets in 127.6.0.0/16');
  const fleet = await startFleet(def, { workers: 0 });
  return { fleet, targets: fleet.endpoints.map((e) => `${e.address}:${e.port}`), close: () => fleet.close() };
}

/**
 * The engineering value a simulated analog sensor answers with right now:
 * the §36.3 linear formula y = (M·x + B·10^Bexp)·10^Rexp applied to the raw
 * byte it puts on the wire. null when it reads "unavailable".
 */
export function heldValue(model: BmcModel, sensor: string): number | null {
  const s = model.sensor(sensor);
  const f = s.linear;
  if (!f) throw new Error(`sensor ${sensor} has no analog reading`);
  const raw = s.rawReading;
  if (raw === null) return null;
  const x = f.signed && raw & 0x80 ? raw - 0x100 : raw;
  return (f.m * x + f.b * 10 ** f.bExp) * 10 ** f.rExp;
}

/** server-2s: processor_temperature_celsius{cpu} and power_draw_watts{psu} as the model holds them. */
export function expectedServer2s(model: BmcModel): { cpu: Record<string, number>; psu: Record<string, number> } {
  const v = (name: string) => {
    const x = heldValue(model, name);
    if (x === null) throw new Error(`${name} reads unavailable`);
    return x;
  };
  return {
    cpu: { '1': v('CPU1 Temp'), '2': v('CPU2 Temp') },
    psu: { '1': v('PSU1 Input Power'), '2': v('PSU2 Input Power') },
  };
}
