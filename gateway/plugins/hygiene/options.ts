// The request-hygiene options, declared once: gateway/config.ts reads them from the environment (./config.ts) in
// exactly this shape.
export interface HygieneOptions {
  /** Browser origins (`https://app.example.com`) allowed to read the gateway's answers; default none. */
  readonly corsOrigins: readonly string[];
  /** Most operations in one batched (array) body; default 0: batching off, every array refused. */
  readonly maxBatchSize: number;
  /** Largest request body accepted, in bytes; default 1 MiB (1048576). */
  readonly maxBodyBytes: number;
}

export const defaultHygiene: HygieneOptions = {
  corsOrigins: [],
  maxBatchSize: 0,
  maxBodyBytes: 1024 * 1024,
};
