/**
 * The buckets SEL events are sorted into. The exporter labels its SEL
 * metrics with these names, so they are part of the public contract: add,
 * never rename.
 */
export const SEL_CATEGORIES = [
  /** correctable memory errors, and the "logging limit reached / logging disabled" that follows a burst of them */
  'memory-ecc-correctable',
  /** uncorrectable ECC, parity, scrub failure, DIMM disabled */
  'memory-ecc-uncorrectable',
  /** threshold crossings of temperature sensors */
  'temperature-threshold',
  /** fans below their lower thresholds, failed, removed, or redundancy lost */
  'fan-failure',
  /** power supply failed, predicted to fail, misconfigured, or PSU redundancy lost */
  'psu-failure',
  /** AC/DC input lost or out of range at a power supply or power unit */
  'ac-lost',
  /** IERR, thermal trip, FRB failures, machine checks, throttling */
  'processor-error',
  /** NMI, PCI PERR/SERR, bus correctable/uncorrectable/fatal errors (PCIe AER) */
  'critical-interrupt',
  /** a watchdog timer expired (and what it did: reset, power down, NMI) */
  'watchdog',
  /** a drive failed, is predicted to fail, or sits in a critical/failed array */
  'drive-fault',
  /** the event log was cleared */
  'log-cleared',
  /** the system (re)booted: power up, reset, OS-initiated restart, POST progress */
  'system-restart',
  /** anything else, including OEM records */
  'other',
] as const;

export type SelCategory = (typeof SEL_CATEGORIES)[number];

/** One line per category, for documentation, metric HELP text and the status page. */
export const SEL_CATEGORY_DESCRIPTIONS = {
  'memory-ecc-correctable': 'Correctable memory (ECC) errors, including logging limit reached',
  'memory-ecc-uncorrectable': 'Uncorrectable memory errors: ECC, parity, scrub failure, DIMM disabled',
  'temperature-threshold': 'Temperature sensor crossed a threshold',
  'fan-failure': 'Fan below its lower threshold, failed, removed or fan redundancy lost',
  'psu-failure': 'Power supply failure, predictive failure or power redundancy lost',
  'ac-lost': 'Power supply or power unit lost its AC/DC input, or it is out of range',
  'processor-error': 'Processor error: IERR, thermal trip, FRB, machine check, throttling',
  'critical-interrupt': 'Critical interrupt: NMI, PCI PERR/SERR, bus errors',
  watchdog: 'Watchdog timer expired',
  'drive-fault': 'Drive fault, predictive failure, or drive in a critical/failed array',
  'log-cleared': 'The system event log was cleared',
  'system-restart': 'System boot or restart',
  other: 'Any other event, including OEM records',
} as const satisfies Record<SelCategory, string>;

/** How bad an event is. Deassertions (the condition went away) are always 'info'. */
export const SEL_SEVERITIES = ['info', 'warning', 'critical'] as const;

export type SelSeverity = (typeof SEL_SEVERITIES)[number];
