/** A pinned block nonce (`--nonce`, PLUMB_NONCE): 16 to 64 hex digits, 64 to 256 bits. */
export const NONCE_PATTERN = /^[0-9a-fA-F]{16,64}$/;
export const NONCE_RULE = 'must be 16 to 64 hex digits (0-9, a-f), such as 3f9c0d2e7b41a8c5';
