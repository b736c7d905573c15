/** One request's outcome in a batch's results. */
export type BatchLineResult =
  | { customId: string; ok: true; response: unknown }
  /** `why`: the provider's error, or `expired` / `canceled`; a line with no result at all is `missing`. */
  | { customId: string; ok: false; why: string };

/** What is known of a submission whose batch id was never recorded. */
export interface LostSubmission {
  tag: string;
  /** When it was about to be sent (ms). */
  since: number;
  count: number;
  /** Batch ids other chunks of the run already hold. */
  taken: Set<string>;
  /** Every request id of the submission starts with this. */
  customIdPrefix: string;
}

export interface BatchStatus {
  ended: boolean;
  /** The provider's own status word and counts, for progress lines. */
  status: string;
  counts: Record<string, number>;
}

/**
 * A provider's batch API, through its SDK: submit a batch of requests (each the exact body of the
 * synchronous call), poll it, read its results, and find a batch this run submitted but did not
 * record (a crash between the provider's reply and the manifest write).
 */
export interface BatchApi {
  readonly provider: 'openai' | 'anthropic';
  /** The provider's limits for one batch. */
  readonly maxRequests: number;
  readonly maxBytes: number;
  /** One request as a batch line (its size counts towards maxBytes). */
  line(customId: string, body: object): string;
  /** Submits the lines; `tag` identifies the submission for adoption after a crash. */
  submit(lines: string[], tag: string): Promise<string>;
  /**
   * The batch this run submitted but never recorded (a crash between the provider's reply and the
   * manifest), found by its tag or by its requests' ids — never by guessing: null when there is
   * none, 'pending' while a batch that may be it has not ended and cannot be told apart yet.
   */
  adopt(lost: LostSubmission): Promise<string | 'pending' | null>;
  status(id: string): Promise<BatchStatus>;
  results(id: string): AsyncIterable<BatchLineResult>;
}

/** The message inside a provider's error body, whichever shape it has. */
export function errorText(body: unknown): string {
  const b = body as
    | { error?: { message?: string; error?: { message?: string } }; message?: string }
    | undefined;
  return (
    b?.error?.message ?? b?.error?.error?.message ?? b?.message ?? JSON.stringify(body ?? null).slice(0, 200)
  );
}
