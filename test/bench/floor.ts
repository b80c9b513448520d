// The floor benchmark: what one node:dgram round trip costs the client when
// the peer is one echo socket, and when it is as many sockets as a simulated
// fleet binds (one per loopback address, all on port 623). The exporter
// bench's floor answers from one socket; the exporter's datagrams go to a
// fleet. On loopback the sender's sendmsg also runs the receiving side's
// delivery (socket lookup, queueing, waking the receiver), so the shape of
// the peer shows in the client's CPU: this measures by how much, to tell
// what of the exporter's ratio to its floor is the loopback peer and what is
// ours. Both ways send on one unconnected socket naming the peer on every
// send, as the exporter does; runs alternate (one socket, many, one, many),
// each FLOOR_SECONDS long, and the figures are the means of each kind.
// Processes: the client on core 0, the echo sockets on core 1.
// Addresses: 127.206.0.0/16 (from 127.206.0.1, numbered as bmc-sim's fleets
// number theirs: endpointAt), a range no test and no other benchmark uses.
// Port 623 needs root.
// Then the same client loop against a slow fleet-shaped peer, whose echo
// spends a set time on the CPU before each answer: a simulated BMC answers at
// a fraction of a bare echo's rate, and the client's CPU per round trip
// rises with that alone (fewer datagrams waiting at each of its wake-ups).
// Last, the paced floor: one round trip in flight, the echo spinning a few
// hundred µs before each answer, as an exporter scraping at Prometheus' pace
// waits for one BMC's answer at a time: the client sleeps in epoll before
// every answer, and what each wake-up costs it shows here with no IPMI.
// Knobs (environment): FLOOR_SOCKETS (1,000), FLOOR_INFLIGHT (256),
// FLOOR_SECONDS (5), FLOOR_ROUNDS (4), FLOOR_ECHO_SPIN_US (the slow peers'
// µs per answer, '20,80'; '' for none), FLOOR_PACED_SPIN_US (the paced
// floor's, '250'; '' for none).
import type { EchoRequest, FromEcho } from './floor-echo-child.js';
import type { FloorRequest, FromFloor } from './exporter-floor-child.js';
import { child, next, pin, stopped } from './exporter-proc.js';
import type { Benchmark } from './run.js';

const env = (k: string, d: number) => (process.env[k] ? Number(process.env[k]) : d);
/** A comma-separated list of µs from the environment ('' for none). */
function spins(name: string, fallback: string): number[] {
  return (process.env[name] ?? fallback)
    .split(',')
    .filter((v) => v.trim() !== '')
    .map((v) => {
      const n = Number(v);
      if (!Number.isFinite(n) || n < 0 || n > 10_000) throw new Error(`${name}: ${v} is not 0-10000`);
      return n;
    });
}
/** FLOOR_ECHO_SPIN_US: the slow peers' µs of CPU per answer, comma-separated ('' for none). */
const SPINS = spins('FLOOR_ECHO_SPIN_US', '20,80');
/** FLOOR_PACED_SPIN_US: the paced floor's µs of CPU per answer, one in flight ('' for none). */
const PACED_SPINS = spins('FLOOR_PACED_SPIN_US', '250');
const BASE = '127.206.0.1';
const PORT = 623;
/** An RMCP+ suite-3 Get Sensor Reading's size, as the exporter bench's floor. */
const SIZE = 64;

async function roundTrip(sockets: number, inflight: number, seconds: number, spinUs = 0): Promise<{ us: number; roundTrips: number }> {
  const echo = child('./floor-echo-child.js', [JSON.stringify({ base: BASE, count: sockets, port: PORT, size: SIZE, spinUs } satisfies EchoRequest)]);
  try {
    pin(echo.pid!, 1);
    await next<FromEcho>(echo, 'ready', undefined, 120_000);
    const req: FloorRequest = { port: PORT, size: SIZE, inflight, seconds, peers: { base: BASE, count: sockets } };
    const floor = child('./exporter-floor-child.js', [JSON.stringify(req)]);
    pin(floor.pid!, 0);
    const f = await next<FromFloor>(floor, 'floor', undefined, 60_000 + seconds * 1000);
    await stopped(floor);
    return { us: ((f.cpuUser + f.cpuSystem) * 1e6) / f.roundTrips, roundTrips: f.roundTrips };
  } finally {
    echo.disconnect();
    await stopped(echo);
  }
}

export const benchmark: Benchmark = {
  name: 'floor',
  description: 'floor: node:dgram round trip to one echo socket vs to a fleet-shaped set of sockets on port 623 (client core 0, echo core 1)',
  async run(report, log) {
    const sockets = env('FLOOR_SOCKETS', 1000);
    const inflight = env('FLOOR_INFLIGHT', 256);
    const seconds = env('FLOOR_SECONDS', 5);
    const rounds = env('FLOOR_ROUNDS', 4);
    const one: number[] = [];
    const many: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const a = await roundTrip(1, inflight, seconds);
      const b = await roundTrip(sockets, inflight, seconds);
      log(`round ${r + 1}: one socket ${a.us.toFixed(2)} µs (${a.roundTrips} round trips), ${sockets} sockets ${b.us.toFixed(2)} µs (${b.roundTrips})`);
      one.push(a.us);
      many.push(b.us);
    }
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    const note = `${SIZE}-byte datagrams, ${inflight} in flight, unconnected socket, mean of ${rounds} runs of ${seconds} s`;
    report('floor_one_socket_cpu_us_per_round_trip', mean(one), 'us', note);
    report(`floor_fleet_shaped_cpu_us_per_round_trip@${sockets}`, mean(many), 'us', `${note}; ${sockets} echo sockets, one per address, all on port ${PORT}`);
    report(`floor_fleet_shaped_vs_one_socket@${sockets}`, mean(many) / mean(one), 'x', 'client CPU per round trip, many peers / one');
    // The same client loop against a slower peer: the echo spins before each answer.
    for (const spinUs of SPINS) {
      const slow = await roundTrip(sockets, inflight, seconds, spinUs);
      const perSecond = slow.roundTrips / seconds;
      log(`echo spinning ${spinUs} µs a datagram: ${slow.us.toFixed(2)} µs (${slow.roundTrips} round trips)`);
      report(
        `floor_slow_peer_cpu_us_per_round_trip@spin${spinUs}us`,
        slow.us,
        'us',
        `${SIZE}-byte datagrams, ${inflight} in flight, unconnected socket, one run of ${seconds} s; ${sockets} echo sockets answering after ${spinUs} µs of CPU each, about ${perSecond.toFixed(0)} round trips a second`,
      );
      report(`floor_slow_peer_vs_fleet_shaped@spin${spinUs}us`, slow.us / mean(many), 'x', 'client CPU per round trip, slow peer / prompt peer');
    }
    // One in flight to a peer that takes its time: every answer finds the client asleep.
    for (const spinUs of PACED_SPINS) {
      const paced = await roundTrip(sockets, 1, seconds, spinUs);
      log(`one in flight, echo spinning ${spinUs} µs a datagram: ${paced.us.toFixed(2)} µs (${paced.roundTrips} round trips)`);
      report(
        `floor_paced_cpu_us_per_round_trip@spin${spinUs}us`,
        paced.us,
        'us',
        `${SIZE}-byte datagrams, one in flight, unconnected socket, one run of ${seconds} s; ${sockets} echo sockets answering after ${spinUs} µs of CPU each, ${(paced.roundTrips / seconds).toFixed(0)} round trips a second`,
      );
      report(
        `floor_paced_vs_fleet_shaped@spin${spinUs}us`,
        paced.us / mean(many),
        'x',
        `client CPU per round trip, one in flight to a peer taking ${spinUs} µs / ${inflight} in flight to a prompt one`,
      );
    }
  },
};
