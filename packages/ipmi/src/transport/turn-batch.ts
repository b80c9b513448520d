import type dgram from 'node:dgram';

/**
 * The setImmediate of the process, taken when this module loads: a test that
 * installs fake timers (setImmediate among them) must not hold datagrams back
 * until it moves its clock.
 */
const realSetImmediate = setImmediate;

/**
 * The datagrams of one turn of the event loop, handled together. Node calls
 * the transport once per datagram read; flat out, one wake-up of the loop
 * reads many answers, each of which leads to the next command's datagram.
 * Handled one at a time, every answer's JavaScript (the session's checks, the
 * command's decoding, the scrape going on) ran between Node's and the
 * kernel's receive and send paths for the next one, and a profile of the
 * exporter at 256 scrapes in flight put those paths at two to three times
 * what they cost the floor bench's tight loop: `socket.send` with the
 * kernel's loopback delivery under it 15.7 µs a datagram against 5.0 µs,
 * the sender-info object Node builds for each datagram 3.9 µs against
 * 1.9 µs. So the answers read in one poll phase are only noted as they come;
 * in the check phase right after it, the first immediate hands them to their
 * clients one after another, the promise reactions that follow run (Node
 * runs them between immediates), and, when the poll phase read two or more,
 * a second immediate sends every datagram those reactions made, one after
 * another. Nothing waits for another sleep of the loop: the check phase
 * follows the poll phase that read the answers.
 *
 * Any other datagram goes at once: the one that follows a lone answer (at
 * Prometheus' pace, almost every answer comes alone, and a batch of one
 * would only cost a second immediate), a scrape's first command, a
 * retransmit. At most one datagram per client waits to be sent (a client
 * has one exchange in flight), and the received ones waiting are what one
 * poll phase read, so neither list grows without bound.
 */
export class TurnBatch {
  private readonly received: Buffer[] = [];
  private readonly receivedFrom: dgram.RemoteInfo[] = [];
  private readonly sockets: dgram.Socket[] = [];
  private readonly datagrams: Buffer[] = [];
  private readonly ports: number[] = [];
  private readonly addresses: string[] = [];
  private deliverScheduled = false;
  private sendScheduled = false;
  private dropped = false;
  private readonly deliverNow = () => this.deliverAll();
  private readonly sendNow = () => this.sendAll();

  constructor(
    /** Hands one received datagram to its client. */
    private readonly deliver: (datagram: Buffer, from: dgram.RemoteInfo) => void,
    /** What a send or a delivery threw: told, never thrown from the loop's callback (which would end the process). */
    private readonly onError: (err: Error) => void,
  ) {}

  /** Datagrams waiting: received, and to send. */
  get size(): { received: number; toSend: number } {
    return { received: this.received.length, toSend: this.datagrams.length };
  }

  /** A datagram read from a socket: delivered in this turn's check phase, and what it leads to sent together after it when the turn read more than one. */
  receive(datagram: Buffer, from: dgram.RemoteInfo): void {
    if (this.dropped) return;
    this.received.push(datagram);
    this.receivedFrom.push(from);
    if (!this.deliverScheduled) {
      this.deliverScheduled = true;
      realSetImmediate(this.deliverNow);
    } else if (!this.sendScheduled) {
      // The second of this turn: what the deliveries lead to is sent together, after them.
      this.sendScheduled = true;
      realSetImmediate(this.sendNow);
    }
  }

  /**
   * A datagram to send without a callback (node:dgram drops a failed send's
   * error; see PeerChannel.sendUnchecked): held for this turn's sending
   * when there is one, else sent at once.
   */
  send(socket: dgram.Socket, datagram: Buffer, port: number, address: string): void {
    if (this.dropped) return;
    if (!this.sendScheduled) {
      this.sendOne(socket, datagram, port, address);
      return;
    }
    this.sockets.push(socket);
    this.datagrams.push(datagram);
    this.ports.push(port);
    this.addresses.push(address);
  }

  /** The sockets are closing: what waits is dropped, as a datagram on a closed socket would be. */
  drop(): void {
    this.dropped = true;
    this.received.length = 0;
    this.receivedFrom.length = 0;
    this.clearToSend();
  }

  private sendOne(socket: dgram.Socket, datagram: Buffer, port: number, address: string): void {
    try {
      socket.send(datagram, port, address);
    } catch (err) {
      this.onError(err as Error);
    }
  }

  private deliverAll(): void {
    this.deliverScheduled = false;
    const { received, receivedFrom } = this;
    // Sockets are read in the poll phase, never during this loop; were one read
    // meanwhile, the loop would deliver it too (the length is read each time).
    for (let i = 0; i < received.length; i++) {
      try {
        this.deliver(received[i]!, receivedFrom[i]!);
      } catch (err) {
        this.onError(err as Error);
      }
    }
    received.length = 0;
    receivedFrom.length = 0;
  }

  private sendAll(): void {
    this.sendScheduled = false;
    const { sockets, datagrams, ports, addresses } = this;
    for (let i = 0; i < datagrams.length; i++) this.sendOne(sockets[i]!, datagrams[i]!, ports[i]!, addresses[i]!);
    this.clearToSend();
  }

  private clearToSend(): void {
    this.sockets.length = 0;
    this.datagrams.length = 0;
    this.ports.length = 0;
    this.addresses.length = 0;
  }
}
