/**
 * A command is a pure codec: how to encode the request data bytes (what
 * follows the command byte in an IPMI LAN request, IPMI v2.0 §13.8) and how
 * to decode the response data (what follows the completion code). The client
 * owns framing, sequencing and the completion code; a non-zero code never
 * reaches `decode` — it becomes a CompletionCodeError.
 */
export interface Command<Req, Rsp> {
  /** Human name as the spec writes it, e.g. "Get Device ID". Used in errors and metrics. */
  readonly name: string;
  /** Request NetFn (even). The response NetFn is netFn + 1. */
  readonly netFn: number;
  readonly cmd: number;
  /** The request data. It may be a Buffer shared by every call with the same request: read it, never write to it. */
  encode(req: Req): Buffer;
  decode(data: Buffer): Rsp;
}

/** Sends one command and resolves with its decoded response (BmcClient.execute has this shape). */
export type Execute = <Req, Rsp>(command: Command<Req, Rsp>, request: Req, options?: ExecuteOptions) => Promise<Rsp>;

export interface ExecuteOptions {
  /** Aborts the command (and anything queued behind it for this call). */
  signal?: AbortSignal;
  /** Responder LUN (rsLUN) for sensors that live on LUN 1-3 of the BMC; default 0. */
  lun?: number;
}

/** IPMI v2.0 §5.1 Table 5-1: network function codes (request values). */
export const NETFN = {
  /** Chassis device requests */
  chassis: 0x00,
  /** Bridge requests */
  bridge: 0x02,
  /** Sensor/event requests */
  sensorEvent: 0x04,
  /** Application requests (Get Device ID, session commands) */
  app: 0x06,
  /** Firmware transfer */
  firmware: 0x08,
  /** Non-volatile storage: SDR, SEL, FRU */
  storage: 0x0a,
  /** Transport (LAN, serial) configuration */
  transport: 0x0c,
  /** Group extension: first data byte is the defining body code (DCMI = 0xDC) */
  groupExtension: 0x2c,
  /** OEM/group: first three data bytes are an IANA number */
  oemGroup: 0x2e,
} as const;

/** DCMI v1.5 §6: group extension identification byte for every DCMI command and response. */
export const DCMI_GROUP_EXTENSION_ID = 0xdc;
