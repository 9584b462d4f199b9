/** snappyjs 0.7 (pure JS raw Snappy): returns the type it was given (a Buffer for a Buffer). */
declare module 'snappyjs' {
  export function compress(input: Buffer): Buffer;
  export function uncompress(input: Buffer, maxLength?: number): Buffer;
}
