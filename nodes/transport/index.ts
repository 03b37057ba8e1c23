/** The shared transport: every service node imports from here and from nowhere else below it. */
// What an exchange is (requests, answers, failures, retries), and the one seam to the edition's client and state.
export * from './exchange';
export * from './seam';
export * from './edition';
export * from './token';
export * from './limiter';
export * from './errors';
export * from './redact';
export * from './card-data';
export * from './items';
export { withOptionCheck } from './option-values';
export * from './pagination';
export * from './api';
export * from './descriptions';
export * from './credentials';
export * from './pem';
export * from './validate';
export * from './tool';
