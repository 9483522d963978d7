/**
 * The part of sodium-native 5 the node uses. Its own package ships no types and
 * @types/sodium-native describes version 2 (Buffer-only parameters); version 5 takes any
 * Uint8Array, views included.
 */
declare module "sodium-native" {
  /** libsodium's crypto_sign_verify_detached: throws only on wrong lengths. */
  export function crypto_sign_verify_detached(
    signature: Uint8Array,
    message: Uint8Array,
    publicKey: Uint8Array,
  ): boolean;
}
