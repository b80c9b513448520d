// The SDR walk against a real BMC simulator (OpenIPMI's ipmi_sim), and the
// same records, byte for byte, from the walk in parts (header then body,
// 16-byte chunks, under a reservation) and from the SDRs the harness compiled
// into the simulator. Needs root (port 623) and the Debian package openipmi;
// a missing peer fails the test, it never skips.
//
// What ipmi_sim 2.0.33 does with Get SDR, as probed here: reservation 0000h is
// taken at any offset (it checks only a non-zero reservation, 0xC5 when
// stale), 0xFF bytes means the whole record, and it returns at most 32 record
// bytes per answer, refusing more with 0xCA. Its MC locator record (19 bytes)
// comes whole, with 6 bytes past its end that the walk drops; its first full
// sensor record (52 bytes) is refused whole, so the walk reads it and every
// later record in parts: one refused whole read per walk.
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BmcClient, getSdr, type GetSdrReq, reserveSdrRepository, SdrWalk, type Execute } from '@bmc-exporter/ipmi';
import { startIpmiSim, type IpmiSimHandle } from './peers/ipmi-sim.js';

let sim: IpmiSimHandle;
let client: BmcClient;

beforeAll(async () => {
  sim = await startIpmiSim({ address: '127.0.0.2' });
  client = new BmcClient({ host: sim.host, port: sim.port, username: sim.users.admin.username, password: sim.users.admin.password });
});

afterAll(async () => {
  await client?.close();
  await sim?.stop();
});

/** The client's execute, logging each Get SDR request and counting every command. */
function logged() {
  const getSdrs: GetSdrReq[] = [];
  const commands = new Map<string, number>();
  const execute: Execute = (command, request, options) => {
    commands.set(command.name, (commands.get(command.name) ?? 0) + 1);
    if (command.name === getSdr.name) getSdrs.push(request as GetSdrReq);
    return client.execute(command, request, options);
  };
  return { execute, getSdrs, commands };
}

/** The records the harness gave ipmi_sim (main_sdr_add lines), in order. */
async function compiledSdrs(): Promise<Buffer[]> {
  const text = await readFile(join(dirname(sim.stateDir), 'sdrs.emu'), 'utf8');
  return text
    .split('\n')
    .filter((l) => l.startsWith('main_sdr_add '))
    .map((l) =>
      Buffer.from(
        l
          .split(' ')
          .slice(2)
          .map((h) => Number.parseInt(h, 16)),
      ),
    );
}

describe('the SDR walk against ipmi_sim', () => {
  it('asks for records whole under reservation 0000h, falls back to parts at the first refusal (0xCA), and reads the same records as in parts', async () => {
    const signal = AbortSignal.timeout(20_000);
    const whole = logged();
    const walk = new SdrWalk({ keepBytes: true });
    const { records, unparsed, incomplete } = await walk.run(whole.execute, signal);
    expect(unparsed).toEqual([]);
    expect(incomplete).toBeUndefined();
    const compiled = await compiledSdrs();
    expect(compiled.length).toBeGreaterThanOrEqual(15);
    expect(records).toHaveLength(compiled.length);
    // ipmi_sim numbers the records itself: the bytes after the record ID are what was compiled.
    expect(walk.recordBytes!.map((b) => b.subarray(2))).toEqual(compiled.map((b) => b.subarray(2)));

    // The first record (the MC locator, within ipmi_sim's 32 bytes) in one Get SDR, no reservation taken for it.
    const [first, secondWhole, secondHeader] = whole.getSdrs;
    expect(walk.recordBytes![0]!.length).toBeLessThanOrEqual(32);
    expect(first).toEqual({ reservationId: 0, recordId: 0, offset: 0, bytesToRead: 0xff });
    // The second (52 bytes) asked for whole, refused, then read in parts under a reservation taken then.
    expect(secondWhole).toMatchObject({ reservationId: 0, offset: 0, bytesToRead: 0xff });
    expect(secondHeader).toMatchObject({ recordId: secondWhole!.recordId, offset: 0, bytesToRead: 5 });
    expect(secondHeader!.reservationId).not.toBe(0);
    expect(whole.commands.get(reserveSdrRepository.name)).toBe(1);
    // One refused whole read per walk: never asked again.
    expect(whole.getSdrs.filter((r) => r.bytesToRead === 0xff)).toHaveLength(2);

    // The walk in parts from the start (header, then 16-byte chunks, under a reservation): the same records and bytes.
    const parts = logged();
    const chunked = new SdrWalk({ keepBytes: true, wholeRecords: false, chunkSize: 16 });
    const inParts = await chunked.run(parts.execute, signal);
    expect(inParts.records).toEqual(records);
    expect(chunked.recordBytes).toEqual(walk.recordBytes);
    expect(parts.commands.get(reserveSdrRepository.name)).toBe(1);
    expect(parts.getSdrs.every((r) => r.bytesToRead <= 16 && r.reservationId !== 0)).toBe(true);
    // Whole-first costs at most two extra Get SDR here (the refused whole read, and the refused 254-byte body
    // that drops the walk to 16-byte chunks) and saves a header read on the record that came whole.
    expect(whole.getSdrs.length).toBeLessThanOrEqual(parts.getSdrs.length + 2);
  });

  it('reads records whole when they fit: the walk of a record within 32 bytes is one Get SDR', async () => {
    const once = logged();
    // A walk capped at one record: the MC locator, whole, and nothing else sent.
    const walk = new SdrWalk({ keepBytes: true, maxRecords: 1 });
    const { records } = await walk.run(once.execute, AbortSignal.timeout(10_000));
    expect(records).toHaveLength(1);
    expect(records[0]!.kind).toBe('mc-locator');
    expect(once.getSdrs).toEqual([{ reservationId: 0, recordId: 0, offset: 0, bytesToRead: 0xff }]);
    expect([...once.commands.keys()]).toEqual([getSdr.name]);
  });
});
